package gatehouse.gateway.steps;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import gatehouse.catalog.Assignment;
import gatehouse.gateway.pipeline.Decision;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.routing.Router;
import gatehouse.gateway.routing.UriTemplates;
import gatehouse.identity.Directory;
import gatehouse.identity.DirectorySnapshot;
import gatehouse.platform.Json;
import gatehouse.policy.access.ToolAccess;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Feature access per team: a person whose teams hold the gateway only with a subset of its tools,
 * prompts or resources sees and uses only those. The same {@link ToolAccess} per kind (from the
 * in-memory directory snapshot, never the database) decides the list and the call, so a list never
 * shows what a call would refuse, and a refused call gets the very answer a missing feature gets.
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

    private ToolAccess access(Exchange exchange, String kind) {
        Exchange.Caller caller = exchange.caller();
        return directory.get().access(caller.userId(), caller.gatewayId(), kind);
    }

    /**
     * A call, read, subscription or completion of a feature outside the caller's subsets is refused
     * before routing, with the router's own answer for a feature that does not exist.
     */
    @Override
    public Verdict beforeRouting(Exchange exchange) {
        return exchange.caller() == null ? Verdict.pass() : admit(exchange);
    }

    /** Subscriptions a {@code subscriptions/listen} stream makes are admitted here (they are never routed as requests). */
    @Override
    public Verdict beforeUpstream(Exchange exchange) {
        return exchange.caller() == null || !"resources/subscribe".equals(exchange.method()) ? Verdict.pass() : admit(exchange);
    }

    private Verdict admit(Exchange exchange) {
        JsonNode params = exchange.request().path("params");
        return switch (exchange.method()) {
            case "tools/call" -> named(exchange, "tools", params.path("name"));
            case "prompts/get" -> named(exchange, "prompts", params.path("name"));
            case "resources/read", "resources/subscribe", "resources/unsubscribe" -> resource(exchange, params.path("uri"));
            case "completion/complete" -> switch (params.path("ref").path("type").asString("")) {
                case "ref/prompt" -> named(exchange, "prompts", params.path("ref").path("name"));
                case "ref/resource" -> resource(exchange, params.path("ref").path("uri"));
                default -> Verdict.pass();
            };
            default -> Verdict.pass();
        };
    }

    private Verdict named(Exchange exchange, String kind, JsonNode name) {
        ToolAccess access = access(exchange, kind);
        if (access instanceof ToolAccess.All || !name.isString() || access.allows(name.asString())) {
            return Verdict.pass(); // no name: routing answers the malformed request as for everyone
        }
        // Exactly the router's answer for a name that does not exist; only the log records why.
        return deny(Router.notFound(kind, name.asString()), kind);
    }

    private Verdict resource(Exchange exchange, JsonNode uri) {
        ToolAccess access = access(exchange, "resources");
        if (access instanceof ToolAccess.All || !uri.isString() || allowsUri(access, uri.asString())) {
            return Verdict.pass();
        }
        return deny(Router.resourceNotFound(uri.asString()), "resources");
    }

    /** A URI is granted by name, or by a granted URI template it matches. */
    private static boolean allowsUri(ToolAccess access, String uri) {
        if (access.allows(uri)) {
            return true;
        }
        if (access instanceof ToolAccess.Only only) {
            for (String granted : only.names()) {
                if (granted.indexOf('{') >= 0 && UriTemplates.matches(granted, uri)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Verdict deny(McpException missing, String kind) {
        return new Verdict.Deny(missing.code(), missing.getMessage(), missing.data(),
                List.of(new Decision(NAME, "deny", Map.of("reason", kind + " not granted to the caller's teams"))));
    }

    /**
     * Each server's part of a list, before the merge (and so before paging and the stateless
     * shaping): what lies outside the caller's subset of that kind is left out, by exposed name,
     * URI or URI template.
     */
    @Override
    public ArrayNode onList(Exchange exchange, ListPart part) {
        if (exchange.caller() == null) {
            return part.items();
        }
        ToolAccess access = access(exchange, part.kind());
        if (access instanceof ToolAccess.All) {
            return part.items();
        }
        Filtered known = filtered(part, access);
        if (known != null) {
            exchange.decide(List.of(new Decision(NAME, "hide", Map.of("server", part.server().id(), part.kind(), known.hidden()))));
            return known.kept();
        }
        ArrayNode kept = Json.array();
        int hidden = 0;
        for (JsonNode item : part.items()) {
            if (access.allows(listed(part, item))) {
                kept.add(item);
            } else {
                hidden++;
            }
        }
        if (hidden == 0) {
            return part.items();
        }
        exchange.decide(List.of(new Decision(NAME, "hide", Map.of("server", part.server().id(), part.kind(), hidden))));
        remember(new Filtered(part.items(), part.kind(), part.assignment(), access, kept, hidden));
        return kept;
    }

    /**
     * A list part as filtered for a subset: the very same source array (an upstream session keeps
     * one until its list changes), kind, assignment (its prefix names the items) and access give
     * the same filtered array again, so the steps after this one and the merged answer built from
     * it ({@code ListAnswers}) are reused for a restricted team as for everyone else. Anything
     * else (a changed list, subset, prefix) misses and is filtered afresh. Never changed once made.
     */
    private record Filtered(ArrayNode source, String kind, Assignment assignment, ToolAccess access, ArrayNode kept, int hidden) {
        boolean answers(ListPart part, ToolAccess now) {
            return source == part.items() && kind.equals(part.kind()) && assignment.equals(part.assignment()) && access.equals(now);
        }
    }

    /** How many filtered parts are kept (callers of a gateway with different subsets, times its servers and kinds). */
    static final int FILTERED = 64;
    private final Filtered[] recent = new Filtered[FILTERED];
    private int nextRecent;

    private Filtered filtered(ListPart part, ToolAccess access) {
        synchronized (recent) {
            for (Filtered f : recent) {
                if (f != null && f.answers(part, access)) {
                    return f;
                }
            }
        }
        return null;
    }

    private void remember(Filtered f) {
        synchronized (recent) {
            recent[nextRecent] = f;
            nextRecent = (nextRecent + 1) % recent.length;
        }
    }

    /** What a subset names an item of a list by: the exposed name, the URI, the URI template. */
    private static String listed(ListPart part, JsonNode item) {
        return switch (part.kind()) {
            case "resources" -> item.path("uri").asString("");
            case "resourceTemplates" -> item.path("uriTemplate").asString("");
            default -> part.assignment().expose(item.path("name").asString(""));
        };
    }
}
