package gatehouse.gateway.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.routing.Route;
import gatehouse.gateway.routing.Router;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.upstream.CallHandle;
import gatehouse.gateway.upstream.UpstreamException;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Steps 5 to 8 for one request: route it (answering lists and pings itself), apply the rules
 * (none yet: content rules arrive with their issue, between routing and the call), call the
 * upstream on the caller's identity, and relay what comes back.
 */
@Component
class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final Router router;
    private final Upstreams upstreams;

    Dispatcher(Router router, Upstreams upstreams) {
        this.router = router;
        this.upstreams = upstreams;
    }

    /** What became of a request, for its log record. */
    record Outcome(String status, String serverId, String tool, Integer errorCode, String errorMessage,
                   JsonNode input, JsonNode output) {
    }

    Outcome request(CatalogSnapshot catalog, DownstreamSession session, ObjectNode msg, Reply reply) {
        String method = JsonRpc.method(msg);
        JsonNode id = msg.get("id");
        ObjectNode params = JsonRpc.params(msg);
        Route route = null;
        String tool = null;
        try {
            switch (method) {
                case "ping" -> {
                    reply.finish(JsonRpc.result(id, Json.object()));
                    return ok(null, null, null, null);
                }
                case "tools/list", "prompts/list", "resources/list", "resources/templates/list" -> {
                    String kind = switch (method) {
                        case "tools/list" -> "tools";
                        case "prompts/list" -> "prompts";
                        case "resources/list" -> "resources";
                        default -> "resourceTemplates";
                    };
                    Router.Merged merged = router.list(catalog, session, kind);
                    ObjectNode result = Json.object();
                    result.set(kind, merged.items());
                    if (!merged.failures().isEmpty()) {
                        result.putObject("_meta").set("io.gatehouse/unavailable",
                                Json.MAPPER.valueToTree(merged.failures()));
                    }
                    ObjectNode response = JsonRpc.result(id, result);
                    reply.finish(response);
                    return ok(null, null, null, result);
                }
                case "tools/call", "prompts/get" -> {
                    String kind = method.startsWith("tools") ? "tools" : "prompts";
                    tool = requireString(params, "name");
                    route = router.routeName(catalog, session, kind, tool);
                    params.put("name", route.upstreamName());
                    return forward(session, route, msg, reply, tool, params.get("arguments"));
                }
                case "resources/read", "resources/subscribe", "resources/unsubscribe" -> {
                    tool = requireString(params, "uri");
                    route = router.routeUri(catalog, session, tool);
                    return forward(session, route, msg, reply, tool, null);
                }
                case "completion/complete" -> {
                    JsonNode ref = params == null ? null : params.get("ref");
                    if (!(ref instanceof ObjectNode r)) {
                        throw new McpException(JsonRpc.INVALID_PARAMS, "params.ref is required");
                    }
                    String type = r.path("type").asString("");
                    if ("ref/prompt".equals(type)) {
                        tool = requireString(r, "name");
                        route = router.routeName(catalog, session, "prompts", tool);
                        r.put("name", route.upstreamName());
                    } else if ("ref/resource".equals(type)) {
                        tool = requireString(r, "uri");
                        route = router.routeUri(catalog, session, tool);
                    } else {
                        throw new McpException(JsonRpc.INVALID_PARAMS, "params.ref.type must be ref/prompt or ref/resource");
                    }
                    return forward(session, route, msg, reply, tool, null);
                }
                case "logging/setLevel" -> {
                    requireString(params, "level");
                    for (Assignment a : catalog.assignments(session.gatewayId())) {
                        ServerDef server = catalog.servers().get(a.serverId());
                        try {
                            UpstreamSession up = session.upstream(server);
                            if (up.hasCapability("logging")) {
                                up.call(msg.deepCopy(), upstreams.callTimeout(), null, null);
                            }
                        } catch (RuntimeException e) {
                            log.debug("logging/setLevel not applied on {}: {}", server.name(), e.getMessage());
                        }
                    }
                    reply.finish(JsonRpc.result(id, Json.object()));
                    return ok(null, null, null, null);
                }
                default -> throw new McpException(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method);
            }
        } catch (McpException e) {
            reply.finish(JsonRpc.error(id, e.code(), e.getMessage(), e.data()));
            return new Outcome("error", route == null ? null : route.server().id(), tool, e.code(), e.getMessage(), null, null);
        } catch (UpstreamException e) {
            reply.finish(JsonRpc.error(id, JsonRpc.UPSTREAM_ERROR, e.getMessage()));
            return new Outcome("error", route == null ? null : route.server().id(), tool, JsonRpc.UPSTREAM_ERROR, e.getMessage(), null, null);
        }
    }

    private Outcome forward(DownstreamSession session, Route route, ObjectNode msg, Reply reply, String tool, JsonNode input) {
        UpstreamSession up = session.upstream(route.server());
        JsonNode id = msg.get("id");
        CallHandle handle = new CallHandle();
        session.started(id, handle);
        ObjectNode response;
        try {
            response = up.call(msg, upstreams.callTimeout(), (from, m) -> session.relay(from, m, reply::interim), handle);
        } finally {
            session.finished(id);
        }
        if (response == null) {
            reply.abandon();
            return new Outcome("cancelled", route.server().id(), tool, null, null, input, null);
        }
        reply.finish(response);
        JsonNode error = response.get("error");
        if (error != null) {
            return new Outcome("error", route.server().id(), tool, error.path("code").asInt(), error.path("message").asString(null), input, null);
        }
        JsonNode result = response.get("result");
        boolean toolError = result != null && result.path("isError").asBoolean(false);
        return new Outcome(toolError ? "tool-error" : "ok", route.server().id(), tool, null, null, input, result);
    }

    private static Outcome ok(String serverId, String tool, JsonNode input, JsonNode output) {
        return new Outcome("ok", serverId, tool, null, null, input, output);
    }

    private static String requireString(ObjectNode params, String field) {
        JsonNode v = params == null ? null : params.get(field);
        if (v == null || !v.isString() || v.stringValue().isEmpty()) {
            throw new McpException(JsonRpc.INVALID_PARAMS, "params." + field + " is required and must be a non-empty string");
        }
        return v.stringValue();
    }

    void notification(DownstreamSession session, ObjectNode msg) {
        String method = JsonRpc.method(msg);
        switch (method) {
            case "notifications/initialized" -> { }
            case "notifications/cancelled" -> {
                JsonNode requestId = msg.path("params").get("requestId");
                if (requestId != null) {
                    session.cancel(requestId, msg.path("params").path("reason").asString(null));
                }
            }
            case "notifications/roots/list_changed" -> session.broadcast(msg);
            default -> log.debug("session {}: notification {} not forwarded", session.id(), method);
        }
    }

    /** Opens the upstream sessions in the background, so the client's first list is quick. */
    void warmUp(CatalogSnapshot catalog, DownstreamSession session) {
        for (Assignment a : catalog.assignments(session.gatewayId())) {
            ServerDef server = catalog.servers().get(a.serverId());
            Thread.ofVirtual().name("warm-up-" + server.name()).start(() -> {
                try {
                    session.upstream(server);
                } catch (RuntimeException e) {
                    log.debug("warm-up of {} failed: {}", server.name(), e.getMessage());
                }
            });
        }
    }
}
