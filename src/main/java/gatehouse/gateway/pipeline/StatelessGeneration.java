package gatehouse.gateway.pipeline;

import java.time.Duration;

import java.util.Set;

import org.springframework.stereotype.Component;

import gatehouse.gateway.inputrequests.InputRequiredBridge;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.routing.Route;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.transport.McpHttpRequest;
import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.gateway.upstream.CallHandle;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The 2026-07-28 stateless protocol: every request carries its own {@code _meta} envelope, runs on
 * the connection's hidden stand-in session (nothing the next request needs stays behind), and an
 * upstream's server requests reach the client as {@code input_required} rounds. Answers are shaped
 * by {@link StatelessAnswerShape}; the gateway's own refusals carry HTTP statuses.
 */
@Component
final class StatelessGeneration implements Generation {
    /** The methods a stateless client's request may answer with input_required. */
    private static final Set<String> INPUT_METHODS = Set.of("tools/call", "prompts/get", "resources/read");

    private final Dispatcher dispatcher;
    private final StepRunner steps;
    private final InputRequiredBridge bridge;

    StatelessGeneration(Dispatcher dispatcher, StepRunner steps, InputRequiredBridge bridge) {
        this.dispatcher = dispatcher;
        this.steps = steps;
        this.bridge = bridge;
    }

    @Override
    public Exchange.Generation id() {
        return Exchange.Generation.STATELESS;
    }

    static StatelessEnvelope.Headers headers(McpHttpRequest req) {
        String session = req.header(SessionGeneration.SESSION_HEADER);
        return new StatelessEnvelope.Headers(req.header("MCP-Protocol-Version"), req.header("Mcp-Method"), req.header("Mcp-Name"),
                session != null && !session.isBlank());
    }

    private static ObjectNode meta(ObjectNode msg) {
        ObjectNode params = JsonRpc.params(msg);
        return params != null && params.get("_meta") instanceof ObjectNode m ? m : Json.object();
    }

    @Override
    public void preflight(McpHttpRequest req, Exchange x) {
        StatelessEnvelope.Headers headers = headers(req);
        ObjectNode meta = meta(x.request());
        String version = meta.get(StatelessEnvelope.PROTOCOL_VERSION) != null
                ? meta.get(StatelessEnvelope.PROTOCOL_VERSION).asString("") : headers.protocolVersion();
        StatelessEnvelope.Refused refused = StatelessEnvelope.check(headers, x.request(), version);
        if (refused != null) {
            throw new RefusedRequest(refused.status(), refused.code(), refused.message(), refused.data());
        }
    }

    @Override
    public DownstreamSession session(McpHttpRequest req, McpHttpResponse resp, Exchange x) {
        if (!JsonRpc.isRequest(x.request())) {
            // Notifications have no effect here: a stateless request is cancelled by closing its connection.
            x.kind("notification");
            resp.empty(202);
            x.status("ok");
            return null;
        }
        return dispatcher.statelessSession(x.caller().connection(), meta(x.request()));
    }

    @Override
    public MethodHandler handler(String method) {
        if (StatelessEnvelope.REMOVED_METHODS.contains(method)) {
            throw new McpException(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method + " (protocol 2026-07-28 has no "
                    + method + ")");
        }
        MethodHandler own = dispatcher.statelessOnly(method);
        return own != null ? own : dispatcher.common(method);
    }

    /** Whether the request carried {@code inputResponses} or {@code requestState} (its results are declared stale at once). */
    private static boolean retry(Exchange x) {
        ObjectNode params = JsonRpc.params(x.request());
        return params != null && (params.has("inputResponses") || params.has("requestState"));
    }

    @Override
    public PostAnswer reply(McpHttpResponse resp, Exchange x) {
        ObjectNode params = JsonRpc.params(x.request());
        boolean retry = retry(x);
        String uri = params != null && params.path("uri").isString() ? params.get("uri").stringValue() : null;
        return new PostAnswer(resp, new StatelessAnswerShape(x.method(), meta(x.request()), dispatcher.listTtlMs(), retry, uri));
    }

    @Override
    public int errorStatus(int code) {
        return switch (code) {
            case JsonRpc.METHOD_NOT_FOUND -> 404;
            case JsonRpc.MISSING_CLIENT_CAPABILITY, JsonRpc.HEADER_MISMATCH -> 400;
            default -> 200;
        };
    }

    @Override
    public ClientPrompt prompt(Exchange x, DownstreamSession session, PostAnswer reply) {
        ObjectNode request = x.request();
        return new ClientPrompt() {
            @Override
            public boolean urlElicitation() {
                return StatelessEnvelope.clientCapabilities(meta(request)).path("elicitation").has("url");
            }

            @Override
            public JsonNode answer(String key) {
                ObjectNode params = JsonRpc.params(x.request());
                JsonNode a = params == null ? null : params.path("inputResponses").get(key);
                return a == null || a.isNull() ? null : a;
            }

            @Override
            public JsonNode ask(String key, ObjectNode question, Duration timeout) {
                ObjectNode requests = Json.object();
                requests.set(key, question);
                throw new ClientPrompt.InputRequired(requests);
            }

            @Override
            public void notify(ObjectNode notification) {
                // nothing to say it on: the retry itself is the news
            }
        };
    }

    @Override
    public ObjectNode forward(Exchange x, DownstreamSession session, Route route, PostAnswer reply) {
        ObjectNode msg = x.request();
        UpstreamSession up = session.upstream(route.server());
        // No session to answer server requests on: multi round-trip requests instead (either generation upstream).
        // The connection's stand-in counts its calls in flight (a parked call is bounded by the bridge instead).
        session.enterCall();
        try {
            return bridge.execute(new InputRequiredBridge.Call(session.connectionId(), route.server().id(), up, msg,
                    StatelessEnvelope.clientCapabilities(meta(msg)), INPUT_METHODS.contains(x.method()), steps.screen(x)),
                    reply::interim, new CallHandle());
        } finally {
            session.leaveCall();
        }
    }

    @Override
    public boolean answersAsIs() {
        return false; // lists are decorated, every result shaped in place (StatelessAnswerShape)
    }

    @Override
    public long listVariant(Exchange x, DownstreamSession session, String kind) {
        return dispatcher.freshness(x.caller().catalog(), session, kind);
    }

    @Override
    public void decorateList(String kind, long variant, ObjectNode result) {
        result.put("ttlMs", variant);
        result.put("cacheScope", "private"); // the merged view is this connection's
    }

    @Override
    public boolean sharesLists(Exchange x) {
        return !retry(x); // a retry's answer says ttlMs 0 whatever the list's freshness
    }
}
