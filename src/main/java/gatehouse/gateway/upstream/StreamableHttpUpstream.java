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
    private final Duration requestTimeout;
    private final long maxMessageBytes;
    private volatile String sessionId;
    private volatile String protocolVersion;
    private volatile boolean closed;
    private volatile StreamListener listener;

    /**
     * {@code timeout}: the handshake's and the GET's (connect timeout); {@code requestTimeout}: how
     * long a POST may wait for its answer to begin; {@code maxMessageBytes}: the largest single
     * message (body or event) accepted.
     */
    StreamableHttpUpstream(ServerDef server, HttpClient http, Map<String, String> headers, ObjectNode initParams, Duration timeout,
                           Duration requestTimeout, long maxMessageBytes) {
        super(server);
        this.http = http;
        this.uri = URI.create(server.url());
        this.headers = headers;
        this.initParams = initParams;
        this.timeout = timeout;
        this.requestTimeout = requestTimeout;
        this.maxMessageBytes = maxMessageBytes;
    }

    void open() {
        sessionId = null;
        handshake(initParams, timeout);
        JsonNode v = initializeResult.get("protocolVersion");
        protocolVersion = v != null && v.isString() ? v.stringValue() : null;
        startListener();
    }

    /** Whether the server gave this client a session (Mcp-Session-Id) at initialize. */
    boolean keepsSession() {
        return sessionId != null;
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
            exchange(body, null); // bounded: requestTimeout for the headers, and nothing read after them here
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
                .timeout(requestTimeout)
                .build();
        HttpResponse<InputStream> resp;
        try {
            // Sent asynchronously so that an abort (cancel, the call's timeout) ends the exchange even
            // before the upstream answered with headers, freeing the thread and the connection.
            var sent = http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream());
            if (call != null) {
                call.onAbort(() -> sent.cancel(true));
            }
            resp = UpstreamIo.await(sent, requestTimeout);
        } catch (IOException e) {
            if (call != null && call.cancelled) {
                return;
            }
            throw new UpstreamException("cannot reach upstream '" + server.name() + "' at " + UpstreamIo.redact(uri) + ": " + describe(e), e);
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
        if (call == null) {
            // A notification or a response: whatever the upstream sends back is read elsewhere, so
            // the sender (a client's answer, a cancel) never waits on the upstream's body.
            answerToNotification(resp, status, type);
            return;
        }
        try (InputStream in = resp.body()) {
            if (call != null) {
                call.onAbort(() -> closeQuietly(in));
            }
            if (status == 404 && sessionId != null) {
                throw new SessionLostException("upstream '" + server.name() + "' answered 404 for our session");
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
            byte[] bytes = UpstreamIo.readBounded(in, maxMessageBytes, server.name());
            if (status == 400 && sessionId != null && snippet(bytes).toLowerCase(java.util.Locale.ROOT).contains("session")) {
                // The spec says 404, but servers built on the TypeScript SDK's examples (server-everything
                // among them) answer 400 "No valid session ID provided" once a restart made them forget us.
                log.debug("upstream {} answered HTTP 400 for our session: {}", server.name(), snippet(bytes));
                throw new SessionLostException("upstream '" + server.name() + "' no longer knows our session (HTTP 400)");
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
                // The body stays here: it may echo the request, headers or internals.
                log.debug("upstream {} answered HTTP {}: {}", server.name(), status, snippet(bytes));
                throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + status);
            }
        } catch (MessageTooLargeException e) {
            throw UpstreamIo.tooLarge(server.name(), maxMessageBytes);
        } catch (IOException e) {
            if (call != null && call.cancelled) {
                return;
            }
            throw new UpstreamException("upstream '" + server.name() + "' broke off the response: " + describe(e), e);
        } catch (JacksonException e) {
            log.debug("upstream {} sent malformed JSON: {}", server.name(), e.getOriginalMessage());
            throw new UpstreamException("upstream '" + server.name() + "' sent malformed JSON", e);
        }
    }

    /** The upstream's answer to a notification or response: a stream is read on its own thread; an error is reported. */
    private void answerToNotification(HttpResponse<InputStream> resp, int status, String type) {
        InputStream in = resp.body();
        if (status >= 400 || status == 202 || status == 204) {
            closeQuietly(in);
            if (status >= 400) {
                throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + status);
            }
            return;
        }
        Thread.ofVirtual().name("upstream-" + server.name()).start(() -> {
            try (in) {
                if (type.startsWith("text/event-stream")) {
                    readStream(in, null);
                } else {
                    UpstreamIo.readBounded(in, maxMessageBytes, server.name());
                }
            } catch (IOException | RuntimeException e) {
                log.debug("upstream {}: the answer to a notification broke off: {}", server.name(), e.getMessage());
            }
        });
    }

    private void readStream(InputStream in, PendingCall call) throws IOException {
        try (SseReader sse = new SseReader(in, maxMessageBytes)) {
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
                        drainAfterAnswer(sse, in);
                        return;
                    }
                }
            }
        }
    }

    /**
     * The caller has its answer; this exchange thread reads the stream to its end (the upstream
     * closes it right after the response), so the HTTP connection goes back to the pool instead of
     * being torn down and opened again for the next call. An upstream that keeps the stream open is
     * cut off after {@link #DRAIN_LIMIT_MS}.
     */
    private void drainAfterAnswer(SseReader sse, InputStream in) {
        java.util.concurrent.ScheduledFuture<?> cutOff = DRAIN_WATCHDOG.schedule(() -> closeQuietly(in), DRAIN_LIMIT_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            SseReader.Event ev;
            while ((ev = sse.next()) != null) {
                if ("message".equals(ev.name()) && !ev.data().isBlank()) {
                    try {
                        if (Json.MAPPER.readTree(ev.data()) instanceof ObjectNode m) {
                            dispatch(m, null);
                        }
                    } catch (JacksonException e) {
                        log.debug("upstream {} sent a malformed event after its answer", server.name());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("upstream {}: stream after the answer ended: {}", server.name(), e.getMessage());
        } finally {
            cutOff.cancel(false);
        }
    }

    private static final long DRAIN_LIMIT_MS = 2_000;
    private static final java.util.concurrent.ScheduledExecutorService DRAIN_WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("upstream-drain-watchdog").daemon(true).factory());

    /** The GET stream carries what the upstream sends outside any request. */
    private void startListener() {
        listener = new StreamListener(server.name(), maxMessageBytes, () -> closed, lastEventId -> {
            HttpRequest.Builder b = request().header("Accept", "text/event-stream").GET().timeout(timeout);
            if (lastEventId != null) {
                b.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() != 200) {
                resp.body().close();
                return null; // 405: this upstream has no standalone stream
            }
            return resp.body();
        }, ev -> {
            try {
                if (Json.MAPPER.readTree(ev.data()) instanceof ObjectNode m) {
                    dispatch(m, null);
                }
            } catch (JacksonException e) {
                log.info("upstream {} sent a malformed event; ignored", server.name());
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
        failAll("session with upstream '" + server.name() + "' closed");
        String sid = sessionId;
        if (sid != null) {
            HttpRequest req = request().DELETE().timeout(timeout).build();
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
