package gatehouse.gateway.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.ProtocolVersions;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.mrtr.ClientInputRounds;
import gatehouse.gateway.mrtr.InputRequiredBridge;
import gatehouse.gateway.routing.Route;
import gatehouse.gateway.routing.Router;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.session.StatelessSessions;
import gatehouse.gateway.transport.McpHttpResponse.EventStream;
import gatehouse.gateway.upstream.CallHandle;
import gatehouse.gateway.upstream.MessageSink;
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

    /** The methods a stateless client's request may answer with input_required. */
    private static final Set<String> INPUT_METHODS = Set.of("tools/call", "prompts/get", "resources/read");

    private final Router router;
    private final Upstreams upstreams;
    private final InputRequiredBridge bridge;
    private final ClientInputRounds rounds;
    private final StatelessSessions stateless;
    private final Duration listTtl;

    Dispatcher(Router router, Upstreams upstreams, InputRequiredBridge bridge, ClientInputRounds rounds,
               StatelessSessions stateless, @Value("${gatehouse.mcp.list-ttl:30s}") Duration listTtl) {
        this.router = router;
        this.upstreams = upstreams;
        this.bridge = bridge;
        this.rounds = rounds;
        this.stateless = stateless;
        this.listTtl = listTtl;
    }

    /** The hidden session that stands in for the connection's stateless clients (see {@link StatelessSessions}). */
    DownstreamSession standIn(gatehouse.catalog.Connection connection, ObjectNode meta) {
        return stateless.forConnection(connection, meta);
    }

    /**
     * The {@code Mcp-Param-*} headers of a stateless client's {@code tools/call}, checked against
     * the arguments for the parameters the tool (as its server lists it) marks with
     * {@code x-mcp-header}. Null when they agree, or when the tool cannot be found (the call itself
     * then answers that).
     */
    StatelessEnvelope.Refused checkParamHeaders(CatalogSnapshot catalog, DownstreamSession session, ObjectNode msg,
                                                java.util.function.Function<String, String> header) {
        ObjectNode params = JsonRpc.params(msg);
        if (!"tools/call".equals(JsonRpc.method(msg)) || params == null || !params.path("name").isString()) {
            return null;
        }
        try {
            Route route = router.routeName(catalog, session, "tools", params.get("name").stringValue());
            for (JsonNode tool : session.upstream(route.server()).list("tools", upstreams.callTimeout())) {
                if (route.upstreamName().equals(tool.path("name").asString(null))) {
                    String problem = gatehouse.gateway.protocol.McpParamHeaders.check(
                            gatehouse.gateway.protocol.McpParamHeaders.scan(tool.get("inputSchema")), params.get("arguments"), header);
                    if (problem == null) {
                        return null;
                    }
                    ObjectNode data = Json.object();
                    data.put("reason", problem);
                    return new StatelessEnvelope.Refused(400, JsonRpc.HEADER_MISMATCH, "Bad Request: headers and body disagree: " + problem,
                            data);
                }
            }
        } catch (RuntimeException e) {
            log.debug("Mcp-Param check skipped: {}", e.getMessage());
        }
        return null;
    }

    /** The freshness Gatehouse declares to stateless clients for what it merges (lists, discover). */
    long listTtlMs() {
        return listTtl.toMillis();
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
            if (session.stateless() && StatelessEnvelope.REMOVED_METHODS.contains(method)) {
                throw new McpException(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method + " (protocol "
                        + session.protocolVersion() + " has no " + method + ")");
            }
            switch (method) {
                case "server/discover" -> {
                    if (!session.stateless()) {
                        throw new McpException(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method);
                    }
                    ObjectNode result = discover(catalog, session);
                    reply.finish(JsonRpc.result(id, result));
                    return ok(null, null, null, result);
                }
                case "subscriptions/listen" -> {
                    if (!session.stateless()) {
                        throw new McpException(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method);
                    }
                    return listen(catalog, session, msg, reply);
                }
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
                    if (session.stateless()) {
                        result.put("ttlMs", freshness(catalog, session, kind));
                        result.put("cacheScope", "private"); // the merged view is this connection's
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
                    Outcome outcome = forward(session, route, msg, reply, tool, null);
                    if ("ok".equals(outcome.status()) && !method.equals("resources/read")) {
                        // A shared upstream sends each resource update only to its subscribers.
                        UpstreamSession up = session.openUpstream(route.server().id());
                        if (up != null) {
                            if (method.equals("resources/subscribe")) {
                                up.subscribed(tool, session);
                            } else {
                                up.unsubscribed(tool, session);
                            }
                        }
                    }
                    return outcome;
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
            // A stateless client gets Gatehouse's own refusals with the HTTP status its revision gives them.
            int status = !session.stateless() ? -1 : switch (e.code()) {
                case JsonRpc.METHOD_NOT_FOUND -> 404;
                case JsonRpc.MISSING_CLIENT_CAPABILITY -> 400;
                default -> 200;
            };
            reply.finish(JsonRpc.error(id, e.code(), e.getMessage(), e.data()), status);
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
        ObjectNode response;
        if (session.stateless()) {
            // No session to answer server requests on: multi round-trip requests instead (either generation upstream).
            ObjectNode meta = msg.path("params").get("_meta") instanceof ObjectNode m ? m : null;
            response = bridge.execute(new InputRequiredBridge.Call(session.connectionId(), route.server().id(), up, msg,
                    StatelessEnvelope.clientCapabilities(meta), INPUT_METHODS.contains(JsonRpc.method(msg))), reply::interim, handle);
        } else {
            session.started(id, handle);
            try {
                MessageSink related = (from, m) -> session.relay(from, m, reply::interim);
                response = up.call(msg, upstreams.callTimeout(), related, handle);
                if (up.stateless() && ClientInputRounds.inputRequired(response)) {
                    // A 2026 upstream asks for input: ask this 2025 client with real requests, then retry.
                    response = rounds.complete(session, up, msg, response, reply::interim, related, handle);
                }
            } finally {
                session.finished(id);
            }
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
        if (ClientInputRounds.inputRequired(response)) {
            return new Outcome("input-required", route.server().id(), tool, null, null, input, result);
        }
        return new Outcome(toolError ? "tool-error" : "ok", route.server().id(), tool, null, null, input, result);
    }

    // --- stateless (2026-07-28) only

    /**
     * What a gateway offers, in either generation: it answers every list and routes every call,
     * so this does not depend on which servers are up.
     */
    static ObjectNode gatewayCapabilities() {
        ObjectNode caps = Json.object();
        caps.putObject("tools").put("listChanged", true);
        caps.putObject("prompts").put("listChanged", true);
        ObjectNode res = caps.putObject("resources");
        res.put("subscribe", true);
        res.put("listChanged", true);
        caps.putObject("completions");
        caps.putObject("logging");
        return caps;
    }

    /**
     * {@code server/discover} for the gateway: the stateless revisions served, what the gateway
     * offers (it answers every list and routes every call, so these do not depend on which servers
     * are up), and the assigned servers' instructions, merged.
     */
    private ObjectNode discover(CatalogSnapshot catalog, DownstreamSession session) {
        ObjectNode result = Json.object();
        result.set("supportedVersions", Json.MAPPER.valueToTree(ProtocolVersions.STATELESS));
        result.set("capabilities", gatewayCapabilities());
        List<String> instructions = new ArrayList<>();
        for (Assignment a : catalog.assignments(session.gatewayId())) {
            ServerDef server = catalog.servers().get(a.serverId());
            try {
                JsonNode text = session.upstream(server).initializeResult().get("instructions");
                if (text != null && text.isString() && !text.stringValue().isBlank()) {
                    instructions.add(server.name() + ": " + text.stringValue().strip());
                }
            } catch (RuntimeException e) {
                log.debug("discover: no instructions from {}: {}", server.name(), e.getMessage());
            }
        }
        if (!instructions.isEmpty()) {
            result.put("instructions", String.join("\n\n", instructions));
        }
        result.put("ttlMs", listTtl.toMillis());
        result.put("cacheScope", "private");
        return result;
    }

    /**
     * How long a stateless client may keep a merged list: Gatehouse's own setting, shortened to what
     * any 2026 upstream declared for its part. The list is per connection, hence private.
     */
    private long freshness(CatalogSnapshot catalog, DownstreamSession session, String kind) {
        long ttl = listTtl.toMillis();
        for (Assignment a : catalog.assignments(session.gatewayId())) {
            UpstreamSession up = session.openUpstream(a.serverId());
            long declared = up == null ? -1 : up.listTtlMs(kind);
            if (declared >= 0) {
                ttl = Math.min(ttl, declared);
            }
        }
        return ttl;
    }

    /**
     * {@code subscriptions/listen}: the stateless replacement of the GET stream. The request's own
     * response stream stays open; the first event acknowledges the filter Gatehouse honours, then
     * list changes (from upstreams and from the gateway's configuration) and updates of the
     * subscribed resources follow, each tagged with the subscription's id.
     */
    private Outcome listen(CatalogSnapshot catalog, DownstreamSession session, ObjectNode msg, Reply reply) {
        JsonNode subscriptionId = msg.get("id");
        JsonNode requested = msg.path("params").get("notifications");
        if (!(requested instanceof ObjectNode filter)) {
            throw new McpException(JsonRpc.INVALID_PARAMS, "params.notifications is required: the notification types this stream opts in to");
        }
        ObjectNode honoured = Json.object();
        for (String flag : List.of("toolsListChanged", "promptsListChanged", "resourcesListChanged")) {
            if (filter.path(flag).asBoolean(false)) {
                honoured.put(flag, true);
            }
        }
        List<Route> subscribed = new ArrayList<>();
        if (filter.get("resourceSubscriptions") instanceof tools.jackson.databind.node.ArrayNode uris) {
            tools.jackson.databind.node.ArrayNode ok = Json.array();
            for (JsonNode u : uris) {
                String uri = u.asString(null);
                if (uri == null) {
                    continue;
                }
                try {
                    Route route = router.routeUri(catalog, session, uri);
                    UpstreamSession up = session.upstream(route.server());
                    if (up.initializeResult().path("capabilities").path("resources").path("subscribe").asBoolean(false)) {
                        ObjectNode p = Json.object();
                        p.put("uri", uri);
                        ObjectNode answer = up.call(JsonRpc.request(0L, "resources/subscribe", p), upstreams.callTimeout(), null, null);
                        if (answer != null && answer.has("result")) {
                            ok.add(uri);
                            subscribed.add(route);
                        }
                    }
                } catch (RuntimeException e) {
                    log.debug("listen: cannot subscribe to {}: {}", uri, e.getMessage());
                }
            }
            if (!ok.isEmpty()) {
                honoured.set("resourceSubscriptions", ok);
            }
        }
        EventStream stream = reply.openStream();
        if (stream == null) {
            return ok(null, null, null, null);
        }
        StatelessSessions.Listener listener = new StatelessSessions.Listener() {
            @Override
            public ObjectNode filter() {
                return honoured;
            }

            @Override
            public boolean send(ObjectNode notification) {
                ObjectNode params = notification.get("params") instanceof ObjectNode p ? p : notification.putObject("params");
                ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
                meta.set(StatelessEnvelope.SUBSCRIPTION_ID, subscriptionId);
                try {
                    stream.event(null, Json.bytes(notification));
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }
        };
        ObjectNode ackParams = Json.object();
        ackParams.set("notifications", honoured);
        listener.send(JsonRpc.notification("notifications/subscriptions/acknowledged", ackParams));
        if (!honoured.isEmpty()) {
            stateless.addListener(session.connectionId(), listener);
            int tick = 0;
            try {
                while (stateless.listening(session.connectionId(), listener) && !session.closed()) {
                    Thread.sleep(1_000);
                    if (++tick % 15 == 0) {
                        stream.comment("keep-alive");
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away (or shutdown): end the subscription
            } finally {
                stateless.removeListener(session.connectionId(), listener);
            }
        }
        for (Route route : subscribed) {
            if (!stateless.subscribed(session.connectionId(), route.upstreamName())) {
                try {
                    ObjectNode p = Json.object();
                    p.put("uri", route.upstreamName());
                    session.upstream(route.server()).call(JsonRpc.request(0L, "resources/unsubscribe", p), upstreams.callTimeout(), null, null);
                } catch (RuntimeException e) {
                    log.debug("listen: unsubscribe from {} failed: {}", route.upstreamName(), e.getMessage());
                }
            }
        }
        // Ends gracefully: a result tells the client the subscription is over (not a broken stream).
        ObjectNode end = Json.object();
        end.putObject("_meta").set(StatelessEnvelope.SUBSCRIPTION_ID, subscriptionId);
        reply.finish(JsonRpc.result(subscriptionId, end));
        return ok(null, null, null, null);
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
