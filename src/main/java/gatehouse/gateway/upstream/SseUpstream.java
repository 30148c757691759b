package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.catalog.ServerDef;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.node.ObjectNode;

/**
 * An upstream on the legacy HTTP+SSE transport (protocol 2024-11-05): a GET stream carries every
 * message from the server, and messages to it are POSTed to the endpoint the stream announces.
 */
final class SseUpstream extends UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(SseUpstream.class);

    private final HttpClient http;
    private final URI uri;
    private final Map<String, String> headers;
    private final ObjectNode initParams;
    private final Duration timeout;
    private final Duration requestTimeout;
    private final long maxMessageBytes;
    private volatile URI endpoint;
    private volatile boolean closed;
    private volatile boolean streamOpen;
    private volatile InputStream body;

    SseUpstream(ServerDef server, HttpClient http, Map<String, String> headers, ObjectNode initParams, Duration timeout,
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
        CompletableFuture<URI> announced = new CompletableFuture<>();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().timeout(timeout);
        headers.forEach(b::setHeader);
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UpstreamException("cannot reach upstream '" + server.name() + "' at " + UpstreamIo.redact(uri) + ": "
                    + StreamableHttpUpstream.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted");
        }
        if (resp.statusCode() != 200) {
            try {
                resp.body().close();
            } catch (IOException ignored) {
                // best effort
            }
            throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + resp.statusCode() + " to the SSE GET");
        }
        body = resp.body();
        streamOpen = true;
        Thread.ofVirtual().name("upstream-sse-" + server.name()).start(() -> read(resp.body(), announced));
        try {
            endpoint = announced.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            close();
            if (e.getCause() instanceof RefusedEndpoint refused) {
                throw new UpstreamException(refused.getMessage(), refused);
            }
            throw new UpstreamException("upstream '" + server.name() + "' did not announce its message endpoint", e);
        } catch (Exception e) {
            close();
            throw new UpstreamException("upstream '" + server.name() + "' did not announce its message endpoint", e);
        }
        handshake(initParams, timeout);
    }

    /** The endpoint event named a message endpoint on another origin than the server's URL. */
    private static final class RefusedEndpoint extends UpstreamException {
        RefusedEndpoint(String message) {
            super(message);
        }
    }

    private void read(InputStream in, CompletableFuture<URI> announced) {
        try (SseReader sse = new SseReader(in, maxMessageBytes)) {
            SseReader.Event ev;
            while ((ev = sse.next()) != null) {
                if ("endpoint".equals(ev.name())) {
                    URI target;
                    try {
                        target = uri.resolve(ev.data().trim());
                    } catch (IllegalArgumentException e) {
                        target = null;
                    }
                    if (target == null || !UpstreamIo.sameOrigin(uri, target)) {
                        // The server's headers (its credentials) go wherever messages are POSTed: only
                        // to the origin the administrator configured.
                        log.warn("upstream {} announced a message endpoint on another origin ({}); refused", server.name(),
                                target == null ? "unparseable" : UpstreamIo.redact(target));
                        announced.completeExceptionally(new RefusedEndpoint("upstream '" + server.name()
                                + "' announced a message endpoint on another origin than its URL; refused"));
                        closeQuietly(in);
                        return;
                    }
                    announced.complete(target);
                } else if ("message".equals(ev.name()) && !ev.data().isBlank()) {
                    try {
                        if (Json.MAPPER.readTree(ev.data()) instanceof ObjectNode m) {
                            dispatch(m, null);
                        }
                    } catch (JacksonException e) {
                        log.info("upstream {} sent a malformed event; ignored", server.name());
                    }
                }
            }
        } catch (IOException e) {
            log.debug("SSE stream of {} ended: {}", server.name(), e.getMessage());
        } catch (MessageTooLargeException e) {
            log.info("upstream {} sent an event larger than {} bytes; closing its SSE session", server.name(), maxMessageBytes);
            closeQuietly(in);
        } finally {
            streamOpen = false;
            announced.completeExceptionally(new UpstreamException("stream ended"));
            failAll("upstream '" + server.name() + "' closed its SSE stream");
        }
    }

    @Override
    public boolean isAlive() {
        return !closed && streamOpen;
    }

    @Override
    protected void transmit(ObjectNode message, PendingCall call) {
        URI target = endpoint;
        if (target == null || !streamOpen) {
            throw new UpstreamException("SSE session with upstream '" + server.name() + "' is not open");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(target).header("Content-Type", "application/json")
                .timeout(requestTimeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(message)));
        headers.forEach(b::setHeader);
        if (call != null) {
            // Some servers (the Java SDK's among them) hold the POST open until the request is
            // handled; the caller must be free to time out or cancel meanwhile.
            Thread.ofVirtual().name("upstream-sse-post-" + server.name()).start(() -> {
                try {
                    post(b, call);
                } catch (RuntimeException e) {
                    call.fail(e);
                }
            });
            return;
        }
        post(b, null); // a notification or response: bounded by requestTimeout, body included
    }

    private void post(HttpRequest.Builder b, PendingCall call) {
        try {
            var sent = http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding());
            if (call != null) {
                call.onAbort(() -> sent.cancel(true));
            }
            HttpResponse<Void> resp = UpstreamIo.await(sent, requestTimeout);
            if (resp.statusCode() >= 400) {
                throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + resp.statusCode() + " to a message");
            }
        } catch (IOException e) {
            if (call != null && call.cancelled) {
                return;
            }
            throw new UpstreamException("cannot reach upstream '" + server.name() + "': " + StreamableHttpUpstream.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted");
        }
    }

    @Override
    protected void recover() {
        throw new UpstreamException("SSE session with upstream '" + server.name() + "' was lost");
    }

    @Override
    public void close() {
        closed = true;
        InputStream in = body;
        if (in != null) {
            closeQuietly(in);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
