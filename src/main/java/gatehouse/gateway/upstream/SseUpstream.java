package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * An upstream on the legacy HTTP+SSE transport (protocol 2024-11-05): a GET stream carries every
 * message from the server, and messages to it are POSTed to the endpoint the stream announces.
 */
final class SseUpstream extends UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(SseUpstream.class);

    private final HttpExchange io;
    private volatile URI endpoint;
    private volatile boolean streamOpen;
    private volatile InputStream body;

    SseUpstream(HttpUpstreamConfig config) {
        super(config.server());
        this.io = new HttpExchange(config);
    }

    void open() {
        HttpUpstreamConfig config = io.config();
        CompletableFuture<URI> announced = new CompletableFuture<>();
        HttpRequest req = io.request(config.uri()).header("Accept", "text/event-stream").GET().timeout(config.connectTimeout()).build();
        HttpResponse<InputStream> resp = io.send(req, HttpResponse.BodyHandlers.ofInputStream(), null, config.connectTimeout(),
                config.uri());
        if (resp.statusCode() != 200) {
            HttpExchange.closeQuietly(resp.body());
            if (resp.statusCode() == 401) {
                throw new UpstreamUnauthorizedException(server.name());
            }
            throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + resp.statusCode() + " to the SSE GET");
        }
        body = resp.body();
        streamOpen = true;
        Thread.ofVirtual().name("upstream-sse-" + server.name()).start(() -> read(resp.body(), announced));
        try {
            endpoint = announced.get(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
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
        handshake(config.clientInit(), config.connectTimeout());
    }

    /** The endpoint event named a message endpoint on another origin than the server's URL. */
    private static final class RefusedEndpoint extends UpstreamException {
        RefusedEndpoint(String message) {
            super(message);
        }
    }

    private void read(InputStream in, CompletableFuture<URI> announced) {
        URI uri = io.config().uri();
        try (SseReader sse = new SseReader(in, io.config().maxMessageBytes())) {
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
                        HttpExchange.closeQuietly(in);
                        return;
                    }
                    announced.complete(target);
                } else {
                    ObjectNode m = io.message(ev);
                    if (m != null) {
                        dispatch(m, null);
                    }
                }
            }
        } catch (IOException e) {
            log.debug("SSE stream of {} ended: {}", server.name(), e.getMessage());
        } catch (MessageTooLargeException e) {
            log.info("upstream {} sent an event larger than {} bytes; closing its SSE session", server.name(),
                    io.config().maxMessageBytes());
            HttpExchange.closeQuietly(in);
        } finally {
            streamOpen = false;
            announced.completeExceptionally(new UpstreamException("stream ended"));
            failAll("upstream '" + server.name() + "' closed its SSE stream");
        }
    }

    @Override
    public boolean isAlive() {
        return !io.closed() && streamOpen;
    }

    @Override
    protected void transmit(ObjectNode message, PendingCall call) {
        URI target = endpoint;
        if (target == null || !streamOpen) {
            throw new UpstreamException("SSE session with upstream '" + server.name() + "' is not open");
        }
        HttpRequest req = io.request(target).header("Content-Type", "application/json")
                .timeout(io.config().requestTimeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(message))).build();
        if (call != null) {
            // Some servers (the Java SDK's among them) hold the POST open until the request is
            // handled; the caller must be free to time out or cancel meanwhile.
            io.inBackground(call, () -> post(req, call));
            return;
        }
        post(req, null); // a notification or response: bounded by requestTimeout, body included
    }

    private void post(HttpRequest req, PendingCall call) {
        // The message endpoint's address (its query names the session) is not shown.
        HttpResponse<Void> resp = io.send(req, HttpResponse.BodyHandlers.discarding(), call, io.config().requestTimeout(), null);
        if (resp != null && resp.statusCode() == 401) {
            throw new UpstreamUnauthorizedException(server.name());
        }
        if (resp != null && resp.statusCode() >= 400) {
            throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + resp.statusCode() + " to a message");
        }
    }

    @Override
    protected void recover() {
        throw new UpstreamException("SSE session with upstream '" + server.name() + "' was lost");
    }

    @Override
    public void close() {
        io.close();
        HttpExchange.closeQuietly(body);
    }
}
