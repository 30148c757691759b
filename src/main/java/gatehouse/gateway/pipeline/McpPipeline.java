package gatehouse.gateway.pipeline;

import java.time.Instant;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.audit.AuditLog;
import gatehouse.authserver.AccessTokens;
import gatehouse.audit.LogRecord;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.ProtocolVersions;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.session.SessionRegistry;
import gatehouse.gateway.transport.BodyTooLargeException;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.gateway.transport.McpHttpRequest;
import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.gateway.transport.McpHttpResponse.EventStream;
import gatehouse.gateway.transport.TransportGuard;
import gatehouse.identity.Directory;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Json;
import gatehouse.platform.TokenHashes;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The data-plane pipeline, in the order DESIGN.md gives, written once. Each step says why it sits
 * where it does. Steps 5 to 8 (routing, rules, the upstream call) live in {@link Dispatcher}.
 */
@Component
public class McpPipeline {
    private static final Logger log = LoggerFactory.getLogger(McpPipeline.class);
    public static final String SESSION_HEADER = "Mcp-Session-Id";

    private final TransportGuard guard;
    private final CatalogService catalog;
    private final SessionRegistry sessions;
    private final Dispatcher dispatcher;
    private final AuditLog audit;
    private final AccessTokens accessTokens;
    private final Directory directory;
    private final String resourceMetadataUrl;

    public McpPipeline(TransportGuard guard, CatalogService catalog, SessionRegistry sessions, Dispatcher dispatcher,
                       AuditLog audit, GatehouseProperties props, AccessTokens accessTokens, Directory directory) {
        this.accessTokens = accessTokens;
        this.directory = directory;
        this.guard = guard;
        this.catalog = catalog;
        this.sessions = sessions;
        this.dispatcher = dispatcher;
        this.audit = audit;
        this.resourceMetadataUrl = props.publicUrlNoSlash() + "/.well-known/oauth-protected-resource/gateway/v1/mcp";
    }

    /** Who is calling, once authenticated; carried through the rest of the pipeline. */
    record Caller(Connection connection, GatewayDef gateway, CatalogSnapshot catalog) {
    }

    public void post(McpHttpRequest req, McpHttpResponse resp) {
        long started = System.nanoTime();
        Caller caller = null;
        JsonNode message = null;
        try {
            // 1. Transport checks come first, Origin before anything: a page on a hostile site
            //    must learn nothing, not even whether a token it guessed is valid.
            guard.checkOrigin(req);
            guard.checkPost(req);
            byte[] body = req.body();
            // 2-4. Authenticate, then resolve the connection and gateway, then authorize; only
            //    then parse, so anonymous callers cannot make the gateway do real work.
            caller = authorize(req);
            // Parse once; the tree is what every later step reads and what is forwarded.
            message = parse(body);
            String problem = JsonRpc.envelopeProblem(message);
            if (problem != null) {
                throw new HttpProblem(400, JsonRpc.INVALID_REQUEST, "Invalid request: " + problem);
            }
            ObjectNode msg = (ObjectNode) message;
            // The version on each request decides its generation: 2026-07-28 requests are stateless
            // and take the branch below; 2025 ones open or name a session.
            StatelessEnvelope.Headers headers = new StatelessEnvelope.Headers(req.header("MCP-Protocol-Version"),
                    req.header("Mcp-Method"), req.header("Mcp-Name"),
                    req.header(SESSION_HEADER) != null && !req.header(SESSION_HEADER).isBlank());
            switch (StatelessEnvelope.classify(headers, msg)) {
                case StatelessEnvelope.Refused r -> {
                    refuseStateless(caller, msg, r, resp, started);
                    return;
                }
                case StatelessEnvelope.Stateless s -> {
                    stateless(caller, req, headers, msg, s, resp, started);
                    return;
                }
                case StatelessEnvelope.Sessionful sessionful -> {
                }
            }
            if ("initialize".equals(JsonRpc.method(msg))) {
                initialize(caller, msg, resp, started);
                return;
            }
            DownstreamSession session = session(req, caller);
            resp.header(SESSION_HEADER, session.id());
            if (JsonRpc.isResponse(msg)) {
                session.answer(msg);
                resp.empty(202);
                record(caller, session, msg, "response", "ok", null, null, started, null);
                return;
            }
            if (JsonRpc.isNotification(msg)) {
                dispatcher.notification(session, msg);
                resp.empty(202);
                record(caller, session, msg, "notification", "ok", null, null, started, null);
                return;
            }
            Reply reply = new Reply(resp);
            Dispatcher.Outcome outcome = dispatcher.request(caller.catalog(), session, msg, reply);
            record(caller, session, msg, "request", outcome.status(), outcome.serverId(), outcome.tool(), started, outcome);
        } catch (HttpProblem p) {
            answerProblem(resp, p);
            recordRefusal(caller, message, p, started);
        } catch (BodyTooLargeException e) {
            HttpProblem p = new HttpProblem(413, JsonRpc.INVALID_REQUEST, e.getMessage());
            answerProblem(resp, p);
            recordRefusal(caller, null, p, started);
        } catch (RuntimeException e) {
            // A defect, not the client's fault: still one JSON-RPC answer and one log record, with
            // a reference an administrator can find in the server log (the client sees no details).
            String reference = gatehouse.platform.Ids.random(12);
            log.error("internal error handling an MCP message (reference {})", reference, e);
            HttpProblem p = new HttpProblem(500, JsonRpc.INTERNAL_ERROR, "Internal error (reference " + reference + ")");
            answerProblem(resp, p);
            recordRefusal(caller, message, p, started);
        }
    }

    /**
     * A stateless (2026-07-28) message: the envelope and headers are checked, then the request is
     * dispatched on the connection's hidden stand-in session, and the answer is shaped for the
     * revision. No Mcp-Session-Id is issued and nothing the next request needs stays behind.
     */
    private void stateless(Caller caller, McpHttpRequest req, StatelessEnvelope.Headers headers, ObjectNode msg,
                           StatelessEnvelope.Stateless s, McpHttpResponse resp, long started) {
        StatelessEnvelope.Refused refused = StatelessEnvelope.check(headers, msg, s.version());
        if (refused != null) {
            refuseStateless(caller, msg, refused, resp, started);
            return;
        }
        if (!JsonRpc.isRequest(msg)) {
            // Notifications have no effect here: a stateless request is cancelled by closing its connection.
            resp.empty(202);
            record(caller, null, msg, "notification", "ok", null, null, started, null);
            return;
        }
        DownstreamSession standIn = dispatcher.standIn(caller.connection(), s.meta());
        StatelessEnvelope.Refused paramHeaders = dispatcher.checkParamHeaders(caller.catalog(), standIn, msg, req::header);
        if (paramHeaders != null) {
            refuseStateless(caller, msg, paramHeaders, resp, started);
            return;
        }
        ObjectNode params = JsonRpc.params(msg);
        boolean retry = params != null && (params.has("inputResponses") || params.has("requestState"));
        String uri = params != null && params.path("uri").isString() ? params.get("uri").stringValue() : null;
        Reply reply = new Reply(resp, new StatelessShape(JsonRpc.method(msg), s.meta(), dispatcher.listTtlMs(), retry, uri));
        Dispatcher.Outcome outcome = dispatcher.request(caller.catalog(), standIn, msg, reply);
        record(caller, null, msg, "request", outcome.status(), outcome.serverId(), outcome.tool(), started, outcome);
    }

    /** A stateless request refused before dispatch: the error carries the request's id, as the revision asks. */
    private void refuseStateless(Caller caller, ObjectNode msg, StatelessEnvelope.Refused r, McpHttpResponse resp, long started) {
        resp.json(r.status(), Json.bytes(JsonRpc.error(msg.get("id"), r.code(), r.message(), r.data())));
        recordRefusal(caller, msg, new HttpProblem(r.status(), r.code(), r.message()), started);
    }

    /** GET opens the session's standalone stream for server-initiated messages. */
    public void get(McpHttpRequest req, McpHttpResponse resp) {
        long started = System.nanoTime();
        Caller caller = null;
        try {
            guard.checkOrigin(req);
            guard.checkGet(req);
            caller = authorize(req);
            DownstreamSession session = session(req, caller);
            resp.header(SESSION_HEADER, session.id());
            EventStream stream = resp.stream();
            session.attachStream(stream, req.header("Last-Event-ID"));
            // The request thread (virtual) holds the stream open; it wakes to send keep-alives and to
            // notice a disabled connection or a closed session.
            int tick = 0;
            while (session.streamAttached(stream) && enabled(caller.connection().id())
                    && (++tick % 15 != 0 || session.keepAlive(stream))) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    break;
                }
            }
            session.detachStream(stream);
            stream.close();
        } catch (HttpProblem p) {
            answerProblem(resp, p);
            recordRefusal(caller, null, p, started);
        }
    }

    public void delete(McpHttpRequest req, McpHttpResponse resp) {
        long started = System.nanoTime();
        Caller caller = null;
        try {
            guard.checkOrigin(req);
            caller = authorize(req);
            DownstreamSession session = session(req, caller);
            sessions.terminate(session.id());
            resp.empty(204);
        } catch (HttpProblem p) {
            answerProblem(resp, p);
            recordRefusal(caller, null, p, started);
        }
    }

    private boolean enabled(String connectionId) {
        Connection c = catalog.snapshot().connectionsById().get(connectionId);
        return c != null && c.enabled();
    }

    // --- steps 2 to 4

    private Caller authorize(McpHttpRequest req) {
        CatalogSnapshot snapshot = catalog.snapshot();
        // 2. Authenticate: an API access token of a connection (stored as a hash, so the look-up
        //    hashes what was presented), else an OAuth access token from Gatehouse's authorization
        //    server (a signed JWT naming its connection, checked in memory: signature, expiry,
        //    revocation list), which must also be bound (RFC 8707 audience) to this resource.
        String auth = req.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() <= 7) {
            throw unauthorized(req, "Authorization: Bearer <token> is required", null);
        }
        String token = auth.substring(7).trim();
        Connection c = snapshot.connectionsByTokenHash().get(TokenHashes.sha256(token));
        if (c == null && AccessTokens.looksLikeJwt(token)) {
            AccessTokens.Verified oauth;
            try {
                oauth = accessTokens.verify(token);
            } catch (AccessTokens.InvalidTokenException e) {
                throw unauthorized(req, e.getMessage(), "invalid_token");
            }
            c = snapshot.connectionsById().get(oauth.connectionId());
            if (c == null) {
                throw unauthorized(req, "the connection of this access token was removed; connect again", "invalid_token");
            }
            String asked = req.query("gateway");
            if (!accessTokens.boundTo(oauth, asked != null && !asked.isEmpty() ? asked : c.gatewayId())) {
                throw unauthorized(req, "the access token was issued for another resource", "invalid_token");
            }
        }
        if (c == null) {
            throw unauthorized(req, "the access token is invalid, expired or revoked", "invalid_token");
        }
        // 3. Resolve connection and gateway. A gateway other than the token's answers like one
        //    that does not exist.
        String wanted = req.query("gateway");
        GatewayDef g = snapshot.gateways().get(c.gatewayId());
        if (g == null || (wanted != null && !wanted.isEmpty() && !wanted.equals(c.gatewayId()))) {
            throw new HttpProblem(404, JsonRpc.INVALID_REQUEST, "Unknown gateway");
        }
        if (!c.enabled()) {
            throw new CallerRefused(new Caller(c, g, snapshot), 403, "This connection is disabled; ask an administrator to enable it");
        }
        // 4. Authorize: an API-token connection holds exactly its own gateway; a person's
        //    connection also needs one of their teams to hold it still (and the person enabled).
        //    Role and per-tool checks plug in here.
        if (c.userId() != null && !directory.snapshot().holds(c.userId(), c.gatewayId())) {
            throw new CallerRefused(new Caller(c, g, snapshot), 403,
                    "Your teams no longer give you access to this gateway; ask an administrator");
        }
        return new Caller(c, g, snapshot);
    }

    private HttpProblem unauthorized(McpHttpRequest req, String why, String error) {
        // The metadata URL names the gateway the client asked for, so the resource it then
        // authorizes for (RFC 9728 section 3.3) is exactly the URL it uses.
        String gateway = req.query("gateway");
        String metadata = resourceMetadataUrl + (gateway != null && gateway.matches("[A-Za-z0-9_-]{1,64}") ? "?gateway=" + gateway : "");
        String challenge = "Bearer resource_metadata=\"" + metadata + "\""
                + (error == null ? "" : ", error=\"" + error + "\", error_description=\"" + why + "\"");
        return new HttpProblem(401, JsonRpc.INVALID_REQUEST, "Unauthorized: " + why, Map.of("WWW-Authenticate", challenge));
    }

    private DownstreamSession session(McpHttpRequest req, Caller caller) {
        String id = req.header(SESSION_HEADER);
        if (id == null || id.isBlank()) {
            throw new HttpProblem(400, JsonRpc.INVALID_REQUEST, "Bad Request: Mcp-Session-Id header is required (send initialize first)");
        }
        DownstreamSession s = sessions.find(id, caller.connection());
        if (s == null) {
            throw new HttpProblem(404, JsonRpc.INVALID_REQUEST, "Session not found: it was terminated or has expired; initialize a new one");
        }
        return s;
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n == null || n.isMissingNode()) {
                throw new HttpProblem(400, JsonRpc.PARSE_ERROR, "Parse error: the body is empty");
            }
            if (n.isArray()) {
                throw new HttpProblem(400, JsonRpc.INVALID_REQUEST, "Invalid request: JSON-RPC batches are not supported since protocol 2025-06-18; send one message per request");
            }
            return n;
        } catch (JacksonException e) {
            throw new HttpProblem(400, JsonRpc.PARSE_ERROR, "Parse error: " + e.getOriginalMessage());
        }
    }

    private void initialize(Caller caller, ObjectNode msg, McpHttpResponse resp, long started) {
        ObjectNode params = JsonRpc.params(msg);
        if (params == null) {
            throw new HttpProblem(400, JsonRpc.INVALID_PARAMS, "initialize needs params with protocolVersion, capabilities and clientInfo");
        }
        String requested = params.path("protocolVersion").asString("");
        String version = ProtocolVersions.negotiate(requested);
        ObjectNode clientInit = params.deepCopy();
        clientInit.put("protocolVersion", version);
        DownstreamSession session = sessions.create(caller.connection(), version, clientInit);
        ObjectNode result = Json.object();
        result.put("protocolVersion", version);
        result.set("capabilities", Dispatcher.gatewayCapabilities());
        ObjectNode info = result.putObject("serverInfo");
        info.put("name", "gatehouse");
        info.put("title", "Gatehouse: " + caller.gateway().name());
        info.put("version", gatehouse.gateway.upstream.Upstreams.VERSION);
        resp.header(SESSION_HEADER, session.id());
        resp.json(200, Json.bytes(JsonRpc.result(msg.get("id"), result)));
        record(caller, session, msg, "request", "ok", null, null, started, null);
        dispatcher.warmUp(caller.catalog(), session);
    }

    private static void answerProblem(McpHttpResponse resp, HttpProblem p) {
        if (resp.committed()) {
            return;
        }
        p.headers().forEach(resp::header);
        resp.json(p.status(), Json.bytes(JsonRpc.error(null, p.rpcCode(), p.getMessage())));
    }

    // --- 9. audit: every message handled becomes one record, written off the request path.

    private void record(Caller caller, DownstreamSession session, ObjectNode msg, String kind, String status, String serverId,
                        String tool, long started, Dispatcher.Outcome outcome) {
        audit.record(new LogRecord(Instant.now(), msg.has("id") ? msg.get("id").asString() : null, session == null ? null : session.id(),
                caller.connection().id(), caller.gateway().id(), serverId, caller.connection().userId(), "client", kind,
                JsonRpc.method(msg), tool, (System.nanoTime() - started) / 1e6, status,
                outcome == null ? null : outcome.errorCode(), outcome == null ? null : outcome.errorMessage(), null,
                outcome == null ? null : outcome.input(), outcome == null ? null : outcome.output())
                .withClient(caller.connection().hostId(), session == null ? null : session.clientInfo().path("name").asString(null),
                        session == null ? null : session.clientInfo().path("version").asString(null))
                .withTiming(msg.has("params") ? argumentsBytes(msg.get("params")) : null, null, null));
    }

    /** The size of what the caller sent: a call's arguments, otherwise its params (UTF-8 JSON). */
    private static Integer argumentsBytes(JsonNode params) {
        JsonNode args = params.has("arguments") ? params.get("arguments") : params;
        return Json.bytes(args).length;
    }

    /** A refusal of a caller already identified, so its log record still names the connection. */
    private static final class CallerRefused extends HttpProblem {
        private final transient Caller caller;

        CallerRefused(Caller caller, int status, String message) {
            super(status, JsonRpc.INVALID_REQUEST, message);
            this.caller = caller;
        }
    }

    private void recordRefusal(Caller known, JsonNode message, HttpProblem p, long started) {
        Caller caller = known == null && p instanceof CallerRefused r ? r.caller : known;
        String method = message == null ? null : JsonRpc.method(message);
        audit.record(new LogRecord(Instant.now(), null, null, caller == null ? null : caller.connection().id(),
                caller == null ? null : caller.gateway().id(), null, null, "client", "http", method, null,
                (System.nanoTime() - started) / 1e6, p.status() == 401 || p.status() == 403 ? "denied" : p.status() >= 500 ? "error" : "rejected",
                p.rpcCode(), p.getMessage(), null, null, null));
        log.debug("refused a request with HTTP {}: {}", p.status(), p.getMessage());
    }
}
