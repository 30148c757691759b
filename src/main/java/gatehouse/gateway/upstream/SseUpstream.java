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
    private volatile URI endpoint;
    private volatile boolean closed;
    private volatile boolean streamOpen;
    private volatile InputStream body;

    SseUpstream(ServerDef server, HttpClient http, Map<String, String> headers, ObjectNode initParams, Duration timeout) {
        super(server);
        this.http = http;
        this.uri = URI.create(server.url());
        this.headers = headers;
        this.initParams = initParams;
        this.timeout = timeout;
    }

    void open() {
        CompletableFuture<URI> announced = new CompletableFuture<>();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        headers.forEach(b::setHeader);
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UpstreamException("cannot reach upstream '" + server.name() + "' at " + uri + ": "
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
        } catch (Exception e) {
            close();
            throw new UpstreamException("upstream '" + server.name() + "' did not announce its message endpoint", e);
        }
        handshake(initParams, timeout);
    }

    private void read(InputStream in, CompletableFuture<URI> announced) {
        try (SseReader sse = new SseReader(in)) {
            SseReader.Event ev;
            while ((ev = sse.next()) != null) {
                if ("endpoint".equals(ev.name())) {
                    announced.complete(uri.resolve(ev.data().trim()));
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
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(message)));
        headers.forEach(b::setHeader);
        if (call != null) {
            // Some servers (the Java SDK's among them) hold the POST open until the request is
            // handled; the caller must be free to time out or cancel meanwhile.
            Thread.ofVirtual().name("upstream-sse-post-" + server.name()).start(() -> {
                try {
                    post(b);
                } catch (RuntimeException e) {
                    call.fail(e);
                }
            });
            return;
        }
        post(b);
    }

    private void post(HttpRequest.Builder b) {
        try {
            HttpResponse<Void> resp = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
            if (resp.statusCode() >= 400) {
                throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + resp.statusCode() + " to a message");
            }
        } catch (IOException e) {
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
            try {
                in.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
