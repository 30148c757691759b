package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RawResults;
import gatehouse.gateway.protocol.McpParamHeaders;
import gatehouse.gateway.protocol.ProtocolVersions;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.ObjectNode;

/**
 * An upstream that speaks the stateless generation (2026-07-28) over Streamable HTTP: no session,
 * every request one POST carrying the per-request {@code _meta} envelope and the routing headers.
 * To the rest of Gatehouse it looks like any upstream session:
 * <ul>
 * <li>the envelope is built from the client Gatehouse acts for (its {@code initialize} parameters),
 *     unless the request already carries one (a stateless client's own, passed through);</li>
 * <li>{@code server/discover} ({@link GenerationProbe}) stands in for the handshake: its
 *     capabilities become the session's;</li>
 * <li>the 2025 methods the revision removed are answered here: {@code ping}; {@code logging/setLevel}
 *     becomes the {@code logLevel} of later requests; {@code resources/subscribe} becomes a
 *     resource subscription on the {@code subscriptions/listen} stream ({@link ListenStream}), which
 *     also brings list changes;</li>
 * <li>{@code input_required} results come back as they are; turning them into server-to-client
 *     requests for a 2025 client happens in {@code gatehouse.gateway.inputrequests}.</li>
 * </ul>
 */
final class StatelessHttpUpstream extends UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(StatelessHttpUpstream.class);
    /** Reads JSON values one after another; made once (a reader is immutable and thread-safe). */
    private static final ObjectReader NODES = Json.MAPPER.readerFor(JsonNode.class);
    private static final Map<String, String> NAME_SOURCE = Map.of("tools/call", "name", "prompts/get", "name",
            "resources/read", "uri");

    private final HttpExchange io;
    private final ListenStream listen;
    private volatile String logLevel;

    /** {@code discover}: the server's {@code server/discover} result ({@link GenerationProbe#discover}). */
    StatelessHttpUpstream(HttpUpstreamConfig config, ObjectNode discover) {
        super(config.server());
        this.io = new HttpExchange(config);
        initializeResult = GenerationProbe.asInitializeResult(discover);
        this.listen = new ListenStream(io, (ObjectNode) initializeResult.get("capabilities"), m -> dispatch(m, null));
    }

    void open() {
        listen.start();
    }

    @Override
    public boolean stateless() {
        return true;
    }

    @Override
    public boolean isAlive() {
        return !io.closed();
    }

    @Override
    protected void recover() {
        // Nothing to recover: no session exists. (A 404 is an ordinary answer here.)
    }

    /** The per-request envelope for the client Gatehouse acts for. */
    static ObjectNode envelope(ObjectNode clientInit, String logLevel) {
        ObjectNode meta = Json.object();
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, ProtocolVersions.LATEST_STATELESS);
        meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, clientInit.get("capabilities") instanceof ObjectNode c
                ? c.deepCopy() : Json.object());
        if (clientInit.get("clientInfo") instanceof ObjectNode i) {
            meta.set(StatelessEnvelope.CLIENT_INFO, i.deepCopy());
        }
        if (logLevel != null) {
            meta.put(StatelessEnvelope.LOG_LEVEL, logLevel);
        }
        return meta;
    }

    /** The revision's version header on a request. */
    static HttpRequest.Builder stateless(HttpRequest.Builder b) {
        return b.header("MCP-Protocol-Version", ProtocolVersions.LATEST_STATELESS);
    }

    @Override
    protected void transmit(ObjectNode message, PendingCall call) {
        if (io.closed()) {
            throw new SessionClosedException("connection to upstream '" + server.name() + "' is closed");
        }
        if (call == null) {
            // Notifications and responses have nowhere to go: cancellation closes the request's
            // connection (PendingCall.abortTransport), and this generation has no server requests.
            return;
        }
        String method = JsonRpc.method(message);
        ObjectNode params = JsonRpc.params(message);
        switch (method) {
            case "ping" -> {
                answer(call, message, Json.object());
                return;
            }
            case "logging/setLevel" -> {
                String level = params == null ? null : params.path("level").asString(null);
                logLevel = StatelessEnvelope.LOG_LEVELS.contains(level) ? level : logLevel;
                answer(call, message, Json.object());
                return;
            }
            case "resources/subscribe", "resources/unsubscribe" -> {
                String u = params == null ? null : params.path("uri").asString(null);
                if (u != null) {
                    listen.subscription(u, method.endsWith("/subscribe"));
                }
                answer(call, message, Json.object());
                return;
            }
            default -> {
            }
        }
        ObjectNode out = message.deepCopy();
        ObjectNode p = JsonRpc.params(out);
        if (p == null) {
            p = out.putObject("params");
        }
        ObjectNode meta = p.get("_meta") instanceof ObjectNode m ? m : p.putObject("_meta");
        if (!meta.has(StatelessEnvelope.PROTOCOL_VERSION)) {
            // A 2025 client's request: the envelope comes from what it said in initialize.
            ObjectNode env = envelope(io.config().clientInit(), logLevel);
            env.properties().forEach(e -> meta.set(e.getKey(), e.getValue()));
        } else {
            meta.put(StatelessEnvelope.PROTOCOL_VERSION, ProtocolVersions.LATEST_STATELESS);
        }
        List<String> headers = new ArrayList<>(8);
        headers.add("MCP-Protocol-Version");
        headers.add(ProtocolVersions.LATEST_STATELESS);
        headers.add("Mcp-Method");
        headers.add(method);
        String field = NAME_SOURCE.get(method);
        if (field != null && p.get(field) != null && p.get(field).isString()) {
            headers.add("Mcp-Name");
            headers.add(StatelessEnvelope.encodeHeaderValue(p.get(field).stringValue()));
        }
        if ("tools/call".equals(method) && p.get("name") != null && p.get("name").isString()) {
            paramHeaders(p.get("name").stringValue(), p.get("arguments")).forEach((k, v) -> HttpExchange.set(headers, k, v));
        }
        exchange(Json.bytes(out), headers, call);
    }

    /**
     * The {@code Mcp-Param-*} headers the upstream expects on a call of {@code tool}: from the
     * parameters its (cached) tool list marks with {@code x-mcp-header}.
     */
    private Map<String, String> paramHeaders(String tool, JsonNode arguments) {
        try {
            for (JsonNode t : list("tools", io.config().connectTimeout())) {
                if (tool.equals(t.path("name").asString(null))) {
                    return McpParamHeaders.headers(McpParamHeaders.scan(t.get("inputSchema")), arguments);
                }
            }
        } catch (RuntimeException e) {
            log.debug("no tool list from {} for Mcp-Param headers: {}", server.name(), e.getMessage());
        }
        return Map.of();
    }

    private void answer(PendingCall call, ObjectNode request, ObjectNode result) {
        dispatch(JsonRpc.result(request.get("id"), result), call);
    }

    /**
     * The request's exchange, on the caller's thread: a cancel or the call's deadline ends it by
     * closing its connection ({@link PendingCall#abortTransport}).
     */
    private void exchange(byte[] body, List<String> headers, PendingCall call) {
        MessageClient.Response resp = io.postMessage(body, headers, call, io.config().requestTimeout());
        if (resp == null) {
            return; // cancelled
        }
        int status = resp.status();
        String contentType = resp.header("Content-Type");
        String type = contentType == null ? "" : contentType;
        InputStream in = resp.body();
        boolean streamed = false;
        try {
            if (status == 401) {
                throw new UpstreamUnauthorizedException(server.name());
            }
            if (type.startsWith("text/event-stream") && status == 200) {
                // Left at the answer: the connection is kept only when the stream ended with it.
                streamed = true; // the stream is readEvents' from here on
                io.readEvents(in, call, false, m -> dispatch(m, call));
                if (!call.done()) {
                    throw new UpstreamException("upstream '" + server.name() + "' closed its response stream before answering");
                }
                return;
            }
            byte[] bytes = io.readBody(in);
            // The revision answers its own refusals with 4xx and a JSON-RPC error body: relay the error.
            // Some servers put notifications before the response in one JSON body, one message after
            // the other: each is routed like an event of a stream.
            List<ObjectNode> messages = type.contains("json") ? messages(bytes) : List.of();
            if (!messages.isEmpty() && JsonRpc.isResponse(messages.getLast())) {
                for (ObjectNode m : messages) {
                    dispatch(m, call);
                }
                return;
            }
            // The body stays here: it may echo the request, headers or internals.
            log.debug("upstream {} answered HTTP {}: {}", server.name(), status,
                    new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8));
            throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + status);
        } catch (MessageTooLargeException e) {
            throw UpstreamIo.tooLarge(server.name(), io.config().maxMessageBytes());
        } catch (IOException e) {
            if (call.cancelled) {
                return;
            }
            throw new UpstreamException("upstream '" + server.name() + "' broke off the response: " + UpstreamIo.describe(e), e);
        } finally {
            if (!streamed) {
                HttpExchange.closeQuietly(in);
            }
        }
    }

    /** The JSON objects of a body, one after another (usually one); empty when it is anything else. */
    static List<ObjectNode> messages(byte[] bytes) {
        ObjectNode one = RawResults.readObject(bytes); // the usual case: one message (its result's bytes kept)
        if (one != null) {
            return List.of(one);
        }
        List<ObjectNode> all = new ArrayList<>();
        try (MappingIterator<JsonNode> it = NODES.readValues(bytes)) {
            while (it.hasNextValue()) {
                if (!(it.nextValue() instanceof ObjectNode m)) {
                    return List.of();
                }
                all.add(m);
            }
        } catch (JacksonException e) {
            return List.of();
        }
        return all;
    }

    @Override
    protected boolean listChangesNotified(String kind) {
        return listen.announces(kind);
    }

    @Override
    public void close() {
        if (!io.close()) {
            return;
        }
        closedAll("connection to upstream '" + server.name() + "' closed");
    }
}
