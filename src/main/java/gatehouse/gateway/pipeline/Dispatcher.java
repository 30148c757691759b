package gatehouse.gateway.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
import gatehouse.gateway.protocol.RawResults;
import gatehouse.gateway.routing.Route;
import gatehouse.gateway.routing.Router;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.session.ListenStreams;
import gatehouse.gateway.session.StatelessSessions;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The method handlers, by name, and the upstream call they share: routing a request to one server
 * (once), invoking it on the caller's identity and relaying what comes back through the steps.
 */
@Component
class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);


    private final Router router;
    private final Upstreams upstreams;
    private final StatelessSessions stateless;
    private final ListenStreams listenStreams;
    private final StepRunner steps;
    private final Duration listTtl;
    private final ListAnswers listAnswers = new ListAnswers();
    /** Kept apart: decorated and shaped for 2026-07-28 clients. */
    private final ListAnswers shapedListAnswers = new ListAnswers();
    private final Map<String, MethodHandler> handlers = new HashMap<>();
    private final Map<String, MethodHandler> statelessHandlers = new HashMap<>();

    Dispatcher(Router router, Upstreams upstreams, StatelessSessions stateless, ListenStreams listenStreams, StepRunner steps,
               @Value("${gatehouse.mcp.list-ttl:30s}") Duration listTtl) {
        this.router = router;
        this.upstreams = upstreams;
        this.stateless = stateless;
        this.listenStreams = listenStreams;
        this.steps = steps;
        this.listTtl = listTtl;
        handlers.put("ping", answered((x, s, r) -> JsonRpc.result(id(x), Json.object())));
        for (String kind : List.of("tools", "prompts", "resources", "resourceTemplates")) {
            handlers.put(kind.equals("resourceTemplates") ? "resources/templates/list" : kind + "/list", (x, s, r) -> list(x, s, kind, r));
        }
        handlers.put("tools/call", new NamedCall("tools"));
        handlers.put("prompts/get", new NamedCall("prompts"));
        handlers.put("resources/read", new ResourceCall());
        handlers.put("resources/subscribe", new ResourceCall());
        handlers.put("resources/unsubscribe", new ResourceCall());
        handlers.put("completion/complete", new Completion());
        handlers.put("logging/setLevel", answered(this::setLevel));
        statelessHandlers.put("server/discover", (x, s, r) -> JsonRpc.result(id(x), discover(x.caller().catalog(), s)));
        statelessHandlers.put("subscriptions/listen", answered(this::listen));
    }

    /** The handler of a method both generations have; method not found for any other. */
    MethodHandler common(String method) {
        MethodHandler h = handlers.get(method);
        if (h == null) {
            throw new McpException(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method);
        }
        return h;
    }

    /** The handler of a method only the stateless revision has, or null. */
    MethodHandler statelessOnly(String method) {
        return statelessHandlers.get(method);
    }

    /** The hidden session that carries the connection's stateless clients' requests (see {@link StatelessSessions}). */
    DownstreamSession statelessSession(gatehouse.catalog.Connection connection, ObjectNode meta) {
        return stateless.forConnection(connection, meta);
    }

    /** The freshness Gatehouse declares to stateless clients for what it merges (lists, discover). */
    long listTtlMs() {
        return listTtl.toMillis();
    }

    private static JsonNode id(Exchange x) {
        return x.request().get("id");
    }

    /** A handler for what the gateway answers itself, whose messages count no tokens. */
    private static MethodHandler answered(MethodHandler h) {
        return new MethodHandler() {
            @Override
            public ObjectNode invoke(Exchange x, DownstreamSession session, PostAnswer reply) {
                return h.invoke(x, session, reply);
            }

            @Override
            public boolean counted() {
                return false;
            }
        };
    }

    // --- routed methods

    /** {@code tools/call} and {@code prompts/get}: by exposed name. */
    private final class NamedCall implements MethodHandler {
        private final String kind;

        NamedCall(String kind) {
            this.kind = kind;
        }

        @Override
        public Route route(Exchange x, DownstreamSession session) {
            ObjectNode params = JsonRpc.params(x.request());
            String name = requireString(params, "name");
            x.target(kind, name);
            x.counted(params.get("arguments"), null);
            Route route = router.routeName(x.caller().catalog(), session, kind, name);
            params.put("name", route.upstreamName());
            x.definition(() -> definition(session, route, kind));
            return route;
        }

        @Override
        public ObjectNode invoke(Exchange x, DownstreamSession session, PostAnswer reply) {
            return forward(x, session, reply);
        }
    }

    /** {@code resources/read}, {@code resources/subscribe}, {@code resources/unsubscribe}: by URI. */
    private final class ResourceCall implements MethodHandler {
        @Override
        public Route route(Exchange x, DownstreamSession session) {
            String uri = requireString(JsonRpc.params(x.request()), "uri");
            x.target("resources", uri);
            return router.routeUri(x.caller().catalog(), session, uri);
        }

        @Override
        public ObjectNode invoke(Exchange x, DownstreamSession session, PostAnswer reply) {
            ObjectNode response = forward(x, session, reply);
            String method = x.method();
            if (response != null && !response.has("error") && !method.equals("resources/read")) {
                // A shared upstream sends each resource update only to its subscribers.
                UpstreamSession up = session.openUpstream(x.route().server().id());
                if (up != null) {
                    if (method.equals("resources/subscribe")) {
                        up.subscribed(x.target(), session);
                    } else {
                        up.unsubscribed(x.target(), session);
                    }
                }
            }
            return response;
        }
    }

    /** {@code completion/complete}: by the prompt or resource its reference names. */
    private final class Completion implements MethodHandler {
        @Override
        public Route route(Exchange x, DownstreamSession session) {
            ObjectNode params = JsonRpc.params(x.request());
            if (!(params != null && params.get("ref") instanceof ObjectNode ref)) {
                throw new McpException(JsonRpc.INVALID_PARAMS, "params.ref is required");
            }
            String type = ref.path("type").asString("");
            if ("ref/prompt".equals(type)) {
                String name = requireString(ref, "name");
                x.target("prompts", name);
                Route route = router.routeName(x.caller().catalog(), session, "prompts", name);
                ref.put("name", route.upstreamName());
                return route;
            }
            if ("ref/resource".equals(type)) {
                String uri = requireString(ref, "uri");
                x.target("resources", uri);
                return router.routeUri(x.caller().catalog(), session, uri);
            }
            throw new McpException(JsonRpc.INVALID_PARAMS, "params.ref.type must be ref/prompt or ref/resource");
        }

        @Override
        public ObjectNode invoke(Exchange x, DownstreamSession session, PostAnswer reply) {
            return forward(x, session, reply);
        }
    }

    /** Sends the routed request upstream, the generation's way, timing the wait. */
    private ObjectNode forward(Exchange x, DownstreamSession session, PostAnswer reply) {
        long started = System.nanoTime();
        try {
            // a result nothing here reads is read in summary and goes out as its bytes came
            ObjectNode response = x.strategy().answersAsIs() && "tools/call".equals(x.method()) && steps.leavesResultsAlone(x)
                    ? RawResults.passThrough(() -> x.strategy().forward(x, session, x.route(), reply))
                    : x.strategy().forward(x, session, x.route(), reply);
            // the result's bytes as read on this thread, if it read them (the answer checks they are this result's)
            x.rawResult(RawResults.take());
            return response;
        } finally {
            x.addUpstreamNanos(System.nanoTime() - started);
        }
    }

    private JsonNode definition(DownstreamSession session, Route route, String kind) {
        try {
            for (JsonNode item : session.upstream(route.server()).list(kind, upstreams.callTimeout())) {
                if (route.upstreamName().equals(item.path("name").asString(null))) {
                    return item;
                }
            }
        } catch (RuntimeException e) {
            log.debug("no definition of {} {}: {}", kind, route.upstreamName(), e.getMessage());
        }
        return null;
    }

    // --- what the gateway answers itself

    private ObjectNode list(Exchange x, DownstreamSession session, String kind, PostAnswer reply) {
        CatalogSnapshot catalog = x.caller().catalog();
        Router.Merged merged = router.list(catalog, session, kind, steps.listFilter(x));
        Generation generation = x.strategy();
        long variant = generation.listVariant(x, session, kind);
        if (merged.failures().isEmpty() && generation.sharesLists(x)) {
            // the same parts as an earlier answer: the same result, decorated and shaped once, its JSON text written as it is
            ListAnswers answers = generation.answersAsIs() ? listAnswers : shapedListAnswers;
            ListAnswers.Answer known = answers.answer(session.gatewayId(), kind, merged, variant, result -> {
                generation.decorateList(kind, variant, result);
                reply.shape(result);
            });
            if (generation.answersAsIs()) {
                x.rawResult(known.raw());
            } else {
                x.shapedRawResult(known.raw()); // shaped when it was made: its text may go out under this request's shape
            }
            return JsonRpc.result(id(x), known.result());
        }
        ObjectNode result = Json.object();
        result.set(kind, merged.items());
        if (!merged.failures().isEmpty()) {
            result.putObject("_meta").set("io.gatehouse/unavailable", Json.MAPPER.valueToTree(merged.failures()));
        }
        generation.decorateList(kind, variant, result);
        return JsonRpc.result(id(x), result);
    }

    private ObjectNode setLevel(Exchange x, DownstreamSession session, PostAnswer reply) {
        ObjectNode msg = x.request();
        requireString(JsonRpc.params(msg), "level");
        CatalogSnapshot catalog = x.caller().catalog();
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
        return JsonRpc.result(id(x), Json.object());
    }

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
     * offers, and the assigned servers' instructions, merged.
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
    long freshness(CatalogSnapshot catalog, DownstreamSession session, String kind) {
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
     * {@code subscriptions/listen}, served by the sessions ({@link ListenStreams}); which resources
     * it may subscribe to is decided here: routed like a read and admitted by the steps.
     */
    private ObjectNode listen(Exchange x, DownstreamSession session, PostAnswer reply) {
        CatalogSnapshot catalog = x.caller().catalog();
        return listenStreams.serve(session, x.request(), uri -> {
            Route route = router.routeUri(catalog, session, uri);
            return admitted(x, uri, route) ? new ListenStreams.Target(route.server(), route.upstreamName()) : null;
        }, reply::openStream, steps.screen(x), x::stillAuthorized);
    }

    /** Whether the steps let the gateway subscribe to {@code uri} for the listening client. */
    private boolean admitted(Exchange listen, String uri, Route route) {
        ObjectNode p = Json.object();
        p.put("uri", uri);
        Exchange sub = new Exchange(System.nanoTime(), listen.caller(), listen.generation(), "resources/subscribe",
                JsonRpc.request(0L, "resources/subscribe", p));
        sub.target("resources", uri);
        sub.route(route);
        try {
            steps.beforeUpstream(sub);
            return true;
        } catch (StepDeniedException e) {
            return false;
        } finally {
            listen.decide(sub.decisions());
        }
    }

    private static String requireString(ObjectNode params, String field) {
        JsonNode v = params == null ? null : params.get(field);
        if (v == null || !v.isString() || v.stringValue().isEmpty()) {
            throw new McpException(JsonRpc.INVALID_PARAMS, "params." + field + " is required and must be a non-empty string");
        }
        return v.stringValue();
    }

    /** A 2025 client's notification: cancellation ends a call, roots changes reach every upstream. */
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
