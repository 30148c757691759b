package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpParamHeaders;
import gatehouse.gateway.protocol.ProtocolVersions;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An upstream that speaks the stateless generation (2026-07-28) over Streamable HTTP: no session,
 * every request one POST carrying the per-request {@code _meta} envelope and the routing headers.
 * To the rest of Gatehouse it looks like any upstream session:
 * <ul>
 * <li>the envelope is built from the client Gatehouse acts for (its {@code initialize} parameters),
 *     unless the request already carries one (a stateless client's own, passed through);</li>
 * <li>{@code server/discover} stands in for the handshake: its capabilities become the session's;</li>
 * <li>the 2025 methods the revision removed are answered here: {@code ping}; {@code logging/setLevel}
 *     becomes the {@code logLevel} of later requests; {@code resources/subscribe} becomes a
 *     resource subscription on the {@code subscriptions/listen} stream, which also brings list
 *     changes;</li>
 * <li>{@code input_required} results come back as they are; turning them into server-to-client
 *     requests for a 2025 client happens in {@code gatehouse.gateway.mrtr}.</li>
 * </ul>
 */
final class StatelessHttpUpstream extends UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(StatelessHttpUpstream.class);
    private static final Map<String, String> NAME_SOURCE = Map.of("tools/call", "name", "prompts/get", "name",
            "resources/read", "uri");

    private final HttpClient http;
    private final URI uri;
    private final Map<String, String> headers;
    private final ObjectNode clientInit;
    private final Duration timeout;
    private final Duration requestTimeout;
    private final long maxMessageBytes;
    private final Set<String> subscriptions = new TreeSet<>();
    private volatile String logLevel;
    private volatile boolean closed;
    private volatile StreamListener listener;

    StatelessHttpUpstream(ServerDef server, HttpClient http, Map<String, String> headers, ObjectNode clientInit,
                          Duration timeout, Duration requestTimeout, long maxMessageBytes, ObjectNode discover) {
        super(server);
        this.http = http;
        this.uri = URI.create(server.url());
        this.headers = headers;
        this.clientInit = clientInit;
        this.timeout = timeout;
        this.requestTimeout = requestTimeout;
        this.maxMessageBytes = maxMessageBytes;
        adopt(discover);
    }

    /**
     * Asks {@code server} for {@code server/discover}. Returns the result when the server speaks
     * {@value ProtocolVersions#LATEST_STATELESS}; null when it answers like a 2025 server (a 4xx or a
     * JSON-RPC error: it does not know the method). Authentication failures, 5xx and an unreachable
     * server are errors, never a verdict.
     */
    static ObjectNode discover(HttpClient http, ServerDef server, Map<String, String> headers, ObjectNode clientInit,
                               Duration timeout, long maxMessageBytes) {
        ObjectNode params = Json.object();
        params.set("_meta", envelope(clientInit, null));
        ObjectNode request = JsonRpc.request("gatehouse-discover", "server/discover", params);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url())).timeout(timeout);
        headers.forEach(b::setHeader);
        HttpRequest req = b.header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", ProtocolVersions.LATEST_STATELESS)
                .header("Mcp-Method", "server/discover")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(request))).build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UpstreamException("cannot reach upstream '" + server.name() + "' at " + UpstreamIo.redact(server.url()) + ": "
                    + StreamableHttpUpstream.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted");
        }
        int status = resp.statusCode();
        String type = resp.headers().firstValue("Content-Type").orElse("");
        try (InputStream in = resp.body()) {
            if (status == 401 || status == 403) {
                throw new UpstreamException("upstream '" + server.name() + "' refused Gatehouse's credentials (HTTP " + status + ")");
            }
            if (status >= 500) {
                throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + status);
            }
            if (status != 200) {
                return null;
            }
            JsonNode message = null;
            if (type.startsWith("text/event-stream")) {
                try (SseReader sse = new SseReader(in, maxMessageBytes)) {
                    SseReader.Event ev;
                    while ((ev = sse.next()) != null) {
                        JsonNode m = parse(ev.data());
                        if (m != null && m.has("id") && (m.has("result") || m.has("error"))) {
                            message = m;
                            break;
                        }
                    }
                }
            } else {
                message = parse(new String(UpstreamIo.readBounded(in, maxMessageBytes, server.name()), StandardCharsets.UTF_8));
            }
            JsonNode result = message == null ? null : message.get("result");
            if (result instanceof ObjectNode r) {
                for (JsonNode v : r.path("supportedVersions")) {
                    if (ProtocolVersions.LATEST_STATELESS.equals(v.asString(null))) {
                        return r;
                    }
                }
            }
            return null;
        } catch (MessageTooLargeException e) {
            throw UpstreamIo.tooLarge(server.name(), maxMessageBytes);
        } catch (IOException e) {
            throw new UpstreamException("upstream '" + server.name() + "' broke off its server/discover answer: "
                    + StreamableHttpUpstream.describe(e), e);
        }
    }

    /** The JSON objects of a body, one after another (usually one); empty when it is anything else. */
    private static List<ObjectNode> messages(byte[] bytes) {
        List<ObjectNode> all = new java.util.ArrayList<>();
        try (tools.jackson.databind.MappingIterator<JsonNode> it = Json.MAPPER.readerFor(JsonNode.class).readValues(bytes)) {
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

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
    }

    /** The discover result as the rest of Gatehouse reads an initialize result. */
    private void adopt(ObjectNode discover) {
        ObjectNode init = Json.object();
        init.put("protocolVersion", ProtocolVersions.LATEST_STATELESS);
        init.set("capabilities", discover.get("capabilities") instanceof ObjectNode c ? c.deepCopy() : Json.object());
        JsonNode info = discover.path("_meta").get(StatelessEnvelope.SERVER_INFO);
        if (info == null) {
            info = discover.get("serverInfo"); // before spec PR #3002
        }
        if (info instanceof ObjectNode i) {
            init.set("serverInfo", i.deepCopy());
        }
        if (discover.get("instructions") != null) {
            init.set("instructions", discover.get("instructions"));
        }
        initializeResult = init;
    }

    void open() {
        startListener();
    }

    @Override
    public boolean stateless() {
        return true;
    }

    @Override
    public boolean isAlive() {
        return !closed;
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

    @Override
    protected void transmit(ObjectNode message, PendingCall call) {
        if (closed) {
            throw new UpstreamException("connection to upstream '" + server.name() + "' is closed");
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
                    synchronized (subscriptions) {
                        if (method.endsWith("/subscribe") ? subscriptions.add(u) : subscriptions.remove(u)) {
                            restartListener();
                        }
                    }
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
            ObjectNode env = envelope(clientInit, logLevel);
            env.properties().forEach(e -> meta.set(e.getKey(), e.getValue()));
        } else {
            meta.put(StatelessEnvelope.PROTOCOL_VERSION, ProtocolVersions.LATEST_STATELESS);
        }
        HttpRequest.Builder b = post(Json.bytes(out)).header("Mcp-Method", method);
        String field = NAME_SOURCE.get(method);
        if (field != null && p.get(field) != null && p.get(field).isString()) {
            b.header("Mcp-Name", StatelessEnvelope.encodeHeaderValue(p.get(field).stringValue()));
        }
        if ("tools/call".equals(method) && p.get("name") != null && p.get("name").isString()) {
            paramHeaders(p.get("name").stringValue(), p.get("arguments")).forEach(b::header);
        }
        HttpRequest req = b.build();
        Thread.ofVirtual().name("upstream-" + server.name()).start(() -> {
            try {
                exchange(req, call);
            } catch (RuntimeException e) {
                call.fail(e);
            }
        });
    }

    /**
     * The {@code Mcp-Param-*} headers the upstream expects on a call of {@code tool}: from the
     * parameters its (cached) tool list marks with {@code x-mcp-header}.
     */
    private Map<String, String> paramHeaders(String tool, JsonNode arguments) {
        try {
            for (JsonNode t : list("tools", timeout)) {
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

    private HttpRequest.Builder post(byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        headers.forEach(b::setHeader);
        return b.header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("MCP-Protocol-Version", ProtocolVersions.LATEST_STATELESS)
                .timeout(requestTimeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private void exchange(HttpRequest req, PendingCall call) {
        HttpResponse<InputStream> resp;
        try {
            // Asynchronous so that an abort (cancel, the call's timeout) ends the exchange even before
            // the upstream answered with headers, freeing the thread and the connection.
            var sent = http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream());
            call.onAbort(() -> sent.cancel(true));
            resp = UpstreamIo.await(sent, requestTimeout);
        } catch (IOException e) {
            if (call.cancelled) {
                return;
            }
            throw new UpstreamException("cannot reach upstream '" + server.name() + "' at " + UpstreamIo.redact(uri) + ": "
                    + StreamableHttpUpstream.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted");
        }
        int status = resp.statusCode();
        String type = resp.headers().firstValue("Content-Type").orElse("");
        try (InputStream in = resp.body()) {
            call.onAbort(() -> closeQuietly(in));
            if (type.startsWith("text/event-stream") && status == 200) {
                try (SseReader sse = new SseReader(in, maxMessageBytes)) {
                    SseReader.Event ev;
                    while ((ev = sse.next()) != null) {
                        if (parse(ev.data()) instanceof ObjectNode m) {
                            dispatch(m, call);
                            if (call.done()) {
                                return;
                            }
                        }
                    }
                }
                if (!call.done()) {
                    throw new UpstreamException("upstream '" + server.name() + "' closed its response stream before answering");
                }
                return;
            }
            byte[] bytes = UpstreamIo.readBounded(in, maxMessageBytes, server.name());
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
            throw UpstreamIo.tooLarge(server.name(), maxMessageBytes);
        } catch (IOException e) {
            if (call.cancelled) {
                return;
            }
            throw new UpstreamException("upstream '" + server.name() + "' broke off the response: " + StreamableHttpUpstream.describe(e), e);
        }
    }

    // --- subscriptions/listen: list changes and resource updates

    private ObjectNode listenFilter() {
        ObjectNode caps = initializeResult.path("capabilities") instanceof ObjectNode c ? c : Json.object();
        ObjectNode filter = Json.object();
        if (caps.path("tools").path("listChanged").asBoolean(false)) {
            filter.put("toolsListChanged", true);
        }
        if (caps.path("prompts").path("listChanged").asBoolean(false)) {
            filter.put("promptsListChanged", true);
        }
        if (caps.path("resources").path("listChanged").asBoolean(false)) {
            filter.put("resourcesListChanged", true);
        }
        synchronized (subscriptions) {
            if (!subscriptions.isEmpty() && caps.path("resources").path("subscribe").asBoolean(false)) {
                filter.set("resourceSubscriptions", Json.MAPPER.valueToTree(subscriptions));
            }
        }
        return filter;
    }

    @Override
    protected boolean listChangesNotified(String kind) {
        StreamListener l = listener;
        if (l == null || !l.running()) {
            return false; // no stream: cached lists go by the upstream's declared freshness (ttlMs)
        }
        ObjectNode filter = listenFilter();
        return switch (kind) {
            case "tools" -> filter.has("toolsListChanged");
            case "prompts" -> filter.has("promptsListChanged");
            default -> filter.has("resourcesListChanged");
        };
    }

    private void restartListener() {
        stopListener();
        startListener();
    }

    private void startListener() {
        ObjectNode filter = listenFilter();
        if (filter.isEmpty() || closed) {
            return;
        }
        listener = new StreamListener(server.name(), maxMessageBytes, () -> closed, lastEventId -> {
            ObjectNode params = Json.object();
            params.set("_meta", envelope(clientInit, null));
            params.set("notifications", filter);
            HttpRequest req = post(Json.bytes(JsonRpc.request("gatehouse-listen", "subscriptions/listen", params)))
                    .header("Mcp-Method", "subscriptions/listen").timeout(timeout).build();
            HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            String type = resp.headers().firstValue("Content-Type").orElse("");
            if (resp.statusCode() == 200 && type.startsWith("application/json")) {
                InputStream lines = JsonLinesAsSse.ifStream(resp.body(), maxMessageBytes); // one message per line
                if (lines == null) {
                    log.debug("upstream {} answered subscriptions/listen without a stream", server.name());
                }
                return lines;
            }
            if (resp.statusCode() != 200 || !type.startsWith("text/event-stream")) {
                resp.body().close();
                log.debug("upstream {} offers no subscriptions/listen stream (HTTP {})", server.name(), resp.statusCode());
                return null;
            }
            return resp.body();
        }, ev -> {
            if (parse(ev.data()) instanceof ObjectNode m && JsonRpc.isNotification(m)
                    && !"notifications/subscriptions/acknowledged".equals(JsonRpc.method(m))) {
                if (m.path("params").get("_meta") instanceof ObjectNode meta) {
                    meta.remove(StatelessEnvelope.SUBSCRIPTION_ID);
                    if (meta.isEmpty()) {
                        ((ObjectNode) m.get("params")).remove("_meta");
                    }
                }
                dispatch(m, null);
            }
        }).start();
    }

    private void stopListener() {
        StreamListener l = listener;
        listener = null;
        if (l != null) {
            l.stop();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopListener();
        failAll("connection to upstream '" + server.name() + "' closed");
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
