package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** An upstream reached over Streamable HTTP (protocol 2025-03-26 and later). */
final class StreamableHttpUpstream extends UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(StreamableHttpUpstream.class);

    private final HttpClient http;
    private final URI uri;
    private final Map<String, String> headers;
    private final ObjectNode initParams;
    private final Duration timeout;
    private volatile String sessionId;
    private volatile String protocolVersion;
    private volatile boolean closed;
    private volatile Thread listener;
    private volatile InputStream listenerBody;

    StreamableHttpUpstream(ServerDef server, HttpClient http, Map<String, String> headers, ObjectNode initParams, Duration timeout) {
        super(server);
        this.http = http;
        this.uri = URI.create(server.url());
        this.headers = headers;
        this.initParams = initParams;
        this.timeout = timeout;
    }

    void open() {
        sessionId = null;
        handshake(initParams, timeout);
        JsonNode v = initializeResult.get("protocolVersion");
        protocolVersion = v != null && v.isString() ? v.stringValue() : null;
        startListener();
    }

    @Override
    protected void recover() {
        stopListener();
        open();
    }

    @Override
    public boolean isAlive() {
        return !closed;
    }

    private HttpRequest.Builder request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        headers.forEach(b::setHeader);
        String sid = sessionId;
        if (sid != null) {
            b.setHeader("Mcp-Session-Id", sid);
        }
        String pv = protocolVersion;
        if (pv != null) {
            b.setHeader("MCP-Protocol-Version", pv);
        }
        return b;
    }

    @Override
    protected void transmit(ObjectNode message, PendingCall call) {
        if (closed) {
            throw new UpstreamException("session with upstream '" + server.name() + "' is closed");
        }
        byte[] body = Json.bytes(message);
        if (call == null) {
            exchange(body, null);
        } else {
            Thread.ofVirtual().name("upstream-" + server.name()).start(() -> {
                try {
                    exchange(body, call);
                } catch (RuntimeException e) {
                    call.fail(e);
                }
            });
        }
    }

    private void exchange(byte[] body, PendingCall call) {
        HttpRequest req = request()
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UpstreamException("cannot reach upstream '" + server.name() + "' at " + uri + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted");
        }
        resp.headers().firstValue("Mcp-Session-Id").ifPresent(sid -> {
            if (sessionId == null) {
                sessionId = sid;
            }
        });
        int status = resp.statusCode();
        String type = resp.headers().firstValue("Content-Type").orElse("");
        try (InputStream in = resp.body()) {
            if (call != null) {
                call.onAbort(() -> closeQuietly(in));
            }
            if (status == 404 && sessionId != null) {
                throw new SessionLostException("upstream '" + server.name() + "' answered 404 for session " + sessionId);
            }
            if (status == 202 || status == 204) {
                return;
            }
            if (type.startsWith("text/event-stream") && status == 200) {
                readStream(in, call);
                if (call != null && !call.done()) {
                    throw new UpstreamException("upstream '" + server.name() + "' closed its response stream before answering");
                }
                return;
            }
            byte[] bytes = in.readAllBytes();
            if (status == 400 && sessionId != null && snippet(bytes).toLowerCase(java.util.Locale.ROOT).contains("session")) {
                // The spec says 404, but servers built on the TypeScript SDK's examples (server-everything
                // among them) answer 400 "No valid session ID provided" once a restart made them forget us.
                throw new SessionLostException("upstream '" + server.name() + "' no longer knows session " + sessionId
                        + " (HTTP 400: " + snippet(bytes) + ")");
            }
            if (type.contains("json") && bytes.length > 0) {
                JsonNode parsed = Json.MAPPER.readTree(bytes);
                if (parsed instanceof ObjectNode m && (status < 400 || JsonRpc.isResponse(m))) {
                    dispatch(m, call);
                    return;
                }
                if (parsed.isArray() && status < 400) {
                    parsed.forEach(n -> {
                        if (n instanceof ObjectNode m) {
                            dispatch(m, call);
                        }
                    });
                    return;
                }
            }
            if (status >= 400) {
                throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + status
                        + (bytes.length > 0 ? ": " + snippet(bytes) : ""));
            }
        } catch (IOException e) {
            if (call != null && call.cancelled) {
                return;
            }
            throw new UpstreamException("upstream '" + server.name() + "' broke off the response: " + describe(e), e);
        } catch (JacksonException e) {
            throw new UpstreamException("upstream '" + server.name() + "' sent malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private void readStream(InputStream in, PendingCall call) throws IOException {
        try (SseReader sse = new SseReader(in)) {
            SseReader.Event ev;
            while ((ev = sse.next()) != null) {
                if (!"message".equals(ev.name()) || ev.data().isBlank()) {
                    continue;
                }
                JsonNode parsed;
                try {
                    parsed = Json.MAPPER.readTree(ev.data());
                } catch (JacksonException e) {
                    log.info("upstream {} sent a malformed event; ignored: {}", server.name(), e.getOriginalMessage());
                    continue;
                }
                if (parsed instanceof ObjectNode m) {
                    dispatch(m, call);
                    if (call != null && call.done()) {
                        return;
                    }
                }
            }
        }
    }

    /** The GET stream carries what the upstream sends outside any request. */
    private void startListener() {
        // Created unstarted: the loop checks that it is the current listener, so the field must be
        // set before it runs (else it could exit at once and never listen).
        Thread thread = Thread.ofVirtual().name("upstream-listen-" + server.name()).unstarted(() -> {
            String lastEventId = null;
            int failures = 0;
            while (!closed && Thread.currentThread() == listener) {
                HttpRequest.Builder b = request().header("Accept", "text/event-stream").GET();
                if (lastEventId != null) {
                    b.header("Last-Event-ID", lastEventId);
                }
                try {
                    HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                    if (resp.statusCode() != 200) {
                        resp.body().close();
                        return; // 405: this upstream has no standalone stream
                    }
                    listenerBody = resp.body();
                    try (SseReader sse = new SseReader(resp.body())) {
                        SseReader.Event ev;
                        while ((ev = sse.next()) != null) {
                            failures = 0;
                            lastEventId = sse.lastEventId();
                            if (!ev.data().isBlank()) {
                                try {
                                    if (Json.MAPPER.readTree(ev.data()) instanceof ObjectNode m) {
                                        dispatch(m, null);
                                    }
                                } catch (JacksonException e) {
                                    log.info("upstream {} sent a malformed event; ignored", server.name());
                                }
                            }
                        }
                    }
                } catch (IOException e) {
                    failures++;
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) {
                    return;
                }
                try {
                    Thread.sleep(Math.min(30_000, 500L << Math.min(failures, 6)));
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        listener = thread;
        thread.start();
    }

    private void stopListener() {
        Thread t = listener;
        listener = null;
        InputStream body = listenerBody;
        if (body != null) {
            closeQuietly(body);
        }
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopListener();
        failAll("session with upstream '" + server.name() + "' closed");
        String sid = sessionId;
        if (sid != null) {
            HttpRequest req = request().DELETE().timeout(Duration.ofSeconds(5)).build();
            http.sendAsync(req, HttpResponse.BodyHandlers.discarding());
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    static String describe(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused (is the server running?)";
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "connection timed out";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String snippet(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 300), java.nio.charset.StandardCharsets.UTF_8);
        return s.replaceAll("\\s+", " ");
    }
}
