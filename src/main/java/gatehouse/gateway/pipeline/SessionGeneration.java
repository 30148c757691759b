package gatehouse.gateway.pipeline;

import java.time.Duration;

import org.springframework.stereotype.Component;

import gatehouse.gateway.inputrequests.ClientInputRounds;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.ProtocolVersions;
import gatehouse.gateway.protocol.RelayScreen;
import gatehouse.gateway.routing.Route;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.session.SessionRegistry;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.gateway.transport.McpHttpRequest;
import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.gateway.upstream.CallHandle;
import gatehouse.gateway.upstream.MessageSink;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The 2025-11-25 session protocol: {@code initialize} opens a session named by
 * {@code Mcp-Session-Id}, every later message names it, server requests travel to the client as
 * real requests (on the call's stream, or the GET stream) and its answers come back as POSTs.
 */
@Component
final class SessionGeneration implements Generation {
    static final String SESSION_HEADER = "Mcp-Session-Id";

    private final SessionRegistry sessions;
    private final Dispatcher dispatcher;
    private final StepRunner steps;
    private final Upstreams upstreams;
    private final ClientInputRounds rounds;

    SessionGeneration(SessionRegistry sessions, Dispatcher dispatcher, StepRunner steps, Upstreams upstreams,
                      ClientInputRounds rounds) {
        this.sessions = sessions;
        this.dispatcher = dispatcher;
        this.steps = steps;
        this.upstreams = upstreams;
        this.rounds = rounds;
    }

    @Override
    public Exchange.Generation id() {
        return Exchange.Generation.SESSION;
    }

    @Override
    public void preflight(McpHttpRequest req, Exchange x) {
        // The session protocol puts nothing on a message beyond the transport's checks.
    }

    @Override
    public DownstreamSession session(McpHttpRequest req, McpHttpResponse resp, Exchange x) {
        ObjectNode msg = x.request();
        if ("initialize".equals(x.method())) {
            initialize(x, resp);
            return null;
        }
        DownstreamSession session = find(req, x);
        resp.header(SESSION_HEADER, session.id());
        if (JsonRpc.isResponse(msg)) {
            x.kind("response");
            session.answer(msg, steps.screen(x));
            resp.empty(202);
            x.status("ok");
            return null;
        }
        if (JsonRpc.isNotification(msg)) {
            x.kind("notification");
            ObjectNode screened = steps.screen(x).screen(RelayScreen.Flow.NOTIFICATION_TO_UPSTREAM, null, msg);
            if (screened != null) {
                dispatcher.notification(session, screened);
            }
            resp.empty(202);
            x.status("ok");
            return null;
        }
        return session;
    }

    /** The session the request names; 400 without one, 404 for one unknown, ended or another connection's. */
    DownstreamSession find(McpHttpRequest req, Exchange x) {
        String id = req.header(SESSION_HEADER);
        if (id == null || id.isBlank()) {
            throw new HttpProblem(400, JsonRpc.INVALID_REQUEST, "Bad Request: Mcp-Session-Id header is required (send initialize first)");
        }
        DownstreamSession s = sessions.find(id, x.caller().connection());
        if (s == null) {
            throw new HttpProblem(404, JsonRpc.INVALID_REQUEST, "Session not found: it was terminated or has expired; initialize a new one");
        }
        x.sessionId(s.id());
        x.clientInfo(s.clientInfo());
        if (s.takeResumed()) {
            // Carried on from the database (its replica is gone): set up what initialize set up there.
            s.screenStream(steps.screen(streamExchange(x, s)));
            dispatcher.warmUp(x.caller().catalog(), s);
        }
        return s;
    }

    /** The exchange a session's GET stream traffic is shown to the steps as. */
    private static Exchange streamExchange(Exchange x, DownstreamSession session) {
        Exchange stream = new Exchange(System.nanoTime(), x.caller(), Exchange.Generation.SESSION, "GET", null);
        stream.sessionId(session.id());
        stream.kind("stream");
        return stream;
    }

    /** The handshake: a new session, the gateway's own capabilities, upstreams opened in the background. */
    private void initialize(Exchange x, McpHttpResponse resp) {
        ObjectNode params = JsonRpc.params(x.request());
        if (params == null) {
            throw new HttpProblem(400, JsonRpc.INVALID_PARAMS, "initialize needs params with protocolVersion, capabilities and clientInfo");
        }
        String version = ProtocolVersions.negotiate(params.path("protocolVersion").asString(""));
        ObjectNode clientInit = params.deepCopy();
        clientInit.put("protocolVersion", version);
        DownstreamSession session = sessions.create(x.caller().connection(), version, clientInit);
        x.sessionId(session.id());
        x.clientInfo(session.clientInfo());
        // What the session's GET stream carries is shown to the steps as this session's traffic.
        session.screenStream(steps.screen(streamExchange(x, session)));
        ObjectNode result = Json.object();
        result.put("protocolVersion", version);
        result.set("capabilities", Dispatcher.gatewayCapabilities());
        ObjectNode info = result.putObject("serverInfo");
        info.put("name", "gatehouse");
        info.put("title", "Gatehouse: " + x.caller().gateway().name());
        info.put("version", Upstreams.VERSION);
        resp.header(SESSION_HEADER, session.id());
        resp.json(200, Json.bytes(JsonRpc.result(x.request().get("id"), result)));
        x.status("ok");
        dispatcher.warmUp(x.caller().catalog(), session);
    }

    @Override
    public MethodHandler handler(String method) {
        return dispatcher.common(method);
    }

    @Override
    public PostAnswer reply(McpHttpResponse resp, Exchange x) {
        return new PostAnswer(resp);
    }

    @Override
    public int errorStatus(int code) {
        return -1;
    }

    @Override
    public ClientPrompt prompt(Exchange x, DownstreamSession session, PostAnswer reply) {
        return new ClientPrompt() {
            @Override
            public boolean urlElicitation() {
                return session.clientCapabilities().path("elicitation").has("url");
            }

            @Override
            public JsonNode answer(String key) {
                return null;
            }

            @Override
            public JsonNode ask(String key, ObjectNode request, Duration timeout) {
                // A real request on this request's stream; the client's answer comes back through the session.
                ObjectNode answer = session.askClient(request, sent -> {
                    if (!reply.deliver(sent)) {
                        throw new McpException(JsonRpc.INTERNAL_ERROR, "could not ask the client (" + JsonRpc.method(request)
                                + "): this request's answer stream has ended");
                    }
                }, timeout);
                if (answer.get("result") == null) {
                    throw new McpException(JsonRpc.INTERNAL_ERROR, "the client refused " + JsonRpc.method(request) + ": "
                            + answer.path("error").path("message").asString("no answer"));
                }
                return answer.get("result");
            }

            @Override
            public void notify(ObjectNode notification) {
                reply.interim(notification);
            }
        };
    }

    @Override
    public ObjectNode forward(Exchange x, DownstreamSession session, Route route, PostAnswer reply) {
        ObjectNode msg = x.request();
        UpstreamSession up = session.upstream(route.server());
        JsonNode id = msg.get("id");
        CallHandle handle = new CallHandle();
        RelayScreen screen = steps.screen(x);
        session.started(id, handle);
        try {
            MessageSink related = (from, m) -> session.relay(from, m, reply::interim, screen);
            ObjectNode response = up.call(msg, upstreams.callTimeout(), related, handle);
            if (up.stateless() && ClientInputRounds.inputRequired(response)) {
                // A 2026 upstream asks for input: ask this client with real requests, then retry.
                response = rounds.complete(session, up, msg, response, reply::interim, related, handle, screen);
            }
            return response;
        } finally {
            session.finished(id);
        }
    }
}
