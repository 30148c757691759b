package gatehouse.gateway.steps;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import gatehouse.gateway.pipeline.Decision;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.routing.Router;
import gatehouse.identity.Directory;
import gatehouse.identity.DirectorySnapshot;
import gatehouse.platform.Json;
import gatehouse.policy.access.ToolAccess;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Tool access per team: a person whose teams hold the gateway only with a subset of its tools sees
 * and calls only those. The same {@link ToolAccess} (from the in-memory directory snapshot, never
 * the database) decides the list and the call, so a list never shows what a call would refuse, and
 * a refused call gets the very answer a tool that does not exist gets.
 */
@Component
public class AccessStep implements Step {
    static final String NAME = "access";

    private final Supplier<DirectorySnapshot> directory;

    @Autowired
    public AccessStep(Directory directory) {
        this(directory::snapshot);
    }

    /** On a given view of the directory (tests build one without a database). */
    AccessStep(Supplier<DirectorySnapshot> directory) {
        this.directory = directory;
    }

    @Override
    public String name() {
        return NAME;
    }

    private ToolAccess access(Exchange exchange) {
        Exchange.Caller caller = exchange.caller();
        return directory.get().toolAccess(caller.userId(), caller.gatewayId());
    }

    @Override
    public Verdict beforeRouting(Exchange exchange) {
        if (!"tools/call".equals(exchange.method()) || exchange.caller() == null) {
            return Verdict.pass();
        }
        ToolAccess access = access(exchange);
        if (access instanceof ToolAccess.All) {
            return Verdict.pass();
        }
        JsonNode name = exchange.request().path("params").path("name");
        String tool = name.isString() ? name.asString() : null;
        if (tool == null || access.allows(tool)) {
            return Verdict.pass(); // no name: routing answers the malformed request as for everyone
        }
        // Exactly the router's answer for a name that does not exist; only the log records why.
        McpException missing = Router.notFound("tools", tool);
        return new Verdict.Deny(missing.code(), missing.getMessage(), missing.data(),
                List.of(new Decision(NAME, "deny", Map.of("reason", "tool not granted to the caller's teams"))));
    }

    /**
     * Each server's part of {@code tools/list}, before the merge (and so before paging and the
     * stateless shaping): the tools outside the caller's subset are left out, by exposed name.
     */
    @Override
    public ArrayNode onList(Exchange exchange, ListPart part) {
        if (!"tools".equals(part.kind()) || exchange.caller() == null) {
            return part.items();
        }
        ToolAccess access = access(exchange);
        if (access instanceof ToolAccess.All) {
            return part.items();
        }
        ArrayNode kept = Json.array();
        int hidden = 0;
        for (JsonNode tool : part.items()) {
            if (access.allows(part.assignment().expose(tool.path("name").asString("")))) {
                kept.add(tool);
            } else {
                hidden++;
            }
        }
        if (hidden == 0) {
            return part.items();
        }
        exchange.decide(List.of(new Decision(NAME, "hide", Map.of("server", part.server().id(), "tools", hidden))));
        return kept;
    }
}
