package gatehouse.gateway.steps;

import java.util.Map;
import java.util.function.Supplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import gatehouse.gateway.pipeline.Decision;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.identity.Directory;
import gatehouse.identity.DirectorySnapshot;
import gatehouse.policy.access.ToolAccess;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

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
        // Exactly the router's answer for a name that does not exist; the log records why.
        return Verdict.deny(JsonRpc.INVALID_PARAMS, "Unknown tool: " + tool,
                new Decision(NAME, "deny", Map.of("reason", "tool not granted to the caller's teams")));
    }

    @Override
    public Verdict afterUpstream(Exchange exchange) {
        if (!"tools/list".equals(exchange.method()) || exchange.caller() == null || exchange.response() == null) {
            return Verdict.pass();
        }
        JsonNode tools = exchange.response().path("result").path("tools");
        if (!tools.isArray()) {
            return Verdict.pass();
        }
        ToolAccess access = access(exchange);
        if (access instanceof ToolAccess.All) {
            return Verdict.pass();
        }
        ObjectNode copy = exchange.response().deepCopy();
        ArrayNode kept = ((ObjectNode) copy.path("result")).putArray("tools");
        int hidden = 0;
        for (JsonNode tool : tools) {
            if (access.allows(tool.path("name").asString(""))) {
                kept.add(tool);
            } else {
                hidden++;
            }
        }
        return hidden == 0 ? Verdict.pass() : Verdict.replace(copy, new Decision(NAME, "hide", Map.of("tools", hidden)));
    }
}
