package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.gateway.protocol.RawResults;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How one HTTP upstream client talks HTTP, the same for all three transports: requests carry the
 * server's (live) headers; a send can be aborted by its call and is bounded while waiting for
 * headers; event streams are read one way; the stream the upstream sends outside any request is
 * kept by one listener; closing stops all of it. Errors name the server and a redacted URL only.
 */
final class HttpExchange {
    private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);
    /** How long a response stream is read after its answer (so the connection is reused) before it is cut off. */
    private static final long DRAIN_LIMIT_MS = 2_000;
    private static final ScheduledExecutorService DRAIN_WATCHDOG = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("upstream-drain-watchdog").daemon(true).factory());

    private final HttpUpstreamConfig config;
    private final URI uri;
    /** Where message POSTs go, parsed at the first one. */
    private volatile MessageClient.Target target;
    /** Where the GET stream and the DELETE that ends a session go, parsed at their first use. */
    private volatile MessageClient.Target getTarget;
    private volatile MessageClient.Target deleteTarget;
    private volatile boolean closed;
    private volatile StreamListener listener;

    HttpExchange(HttpUpstreamConfig config) {
        this.config = config;
        this.uri = config.uri();
    }

    HttpUpstreamConfig config() {
        return config;
    }

    /**
     * A request to {@code target} carrying the server's headers as they are now, and those the
     * client request being served adds ({@link OutgoingHeaders}: its trace context).
     */
    HttpRequest.Builder request(URI target) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target);
        config.headers().forEach(b::setHeader);
        OutgoingHeaders.current().forEach(b::setHeader);
        return b;
    }

    /** A POST of one JSON-RPC message to the server's URL, accepting JSON or an event stream, bounded by the request timeout. */
    HttpRequest.Builder post(byte[] body) {
        return request(config.uri())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .timeout(config.requestTimeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /**
     * POSTs one JSON-RPC message to the server's URL with the {@link MessageClient}, on this thread,
     * accepting JSON or an event stream: the server's headers as they are now, those the client
     * request being served adds ({@link OutgoingHeaders}), then {@code extra} (name, value, ...).
     * Waits at most {@code wait} for the response head. With a {@code call}, aborting it (a cancel,
     * its deadline) closes the connection whatever the exchange is doing, and the body is read for
     * as long as the caller wants; without, every read is bounded by {@code wait}. Returns null when
     * {@code call} was cancelled meanwhile; an unreachable upstream is an {@link UpstreamException}
     * naming the server and its redacted URL.
     */
    MessageClient.Response postMessage(byte[] body, List<String> extra, PendingCall call, Duration wait) {
        List<String> h = new ArrayList<>(16 + extra.size());
        config.headers().forEach((k, v) -> set(h, k, v));
        OutgoingHeaders.current().forEach((k, v) -> set(h, k, v));
        set(h, "Content-Type", "application/json");
        set(h, "Accept", "application/json, text/event-stream");
        for (int i = 0; i < extra.size(); i += 2) {
            set(h, extra.get(i), extra.get(i + 1));
        }
        MessageClient.Abort abort = new MessageClient.Abort();
        if (call != null) {
            call.onAbort(abort::abort);
        }
        MessageClient.Target t = target;
        if (t == null) {
            t = new MessageClient.Target(uri);
            target = t;
        }
        try {
            return config.messages().post(t, h, body, wait, call == null, abort);
        } catch (IOException e) {
            if (call != null && call.cancelled) {
                return null;
            }
            throw new UpstreamUnreachableException("cannot reach upstream '" + config.name() + "' at " + UpstreamIo.redact(uri)
                    + ": " + UpstreamIo.describe(e), e);
        }
    }

    /**
     * A GET or DELETE without content to the server's URL with the {@link MessageClient}, on this
     * thread: the server's headers as they are now, those the client request being served adds,
     * then {@code extra} (name, value, ...). Waits at most {@code wait} for the response head;
     * {@code boundBody}: each read of the body too (else it is read for as long as the caller wants,
     * and closing the body or aborting {@code abort} ends it).
     */
    MessageClient.Response send(String method, List<String> extra, Duration wait, boolean boundBody, MessageClient.Abort abort)
            throws IOException {
        List<String> h = new ArrayList<>(16 + extra.size());
        config.headers().forEach((k, v) -> set(h, k, v));
        OutgoingHeaders.current().forEach((k, v) -> set(h, k, v));
        for (int i = 0; i < extra.size(); i += 2) {
            set(h, extra.get(i), extra.get(i + 1));
        }
        MessageClient.Target t = "GET".equals(method) ? getTarget : deleteTarget;
        if (t == null) {
            t = new MessageClient.Target(uri, method);
            if ("GET".equals(method)) {
                getTarget = t;
            } else {
                deleteTarget = t;
            }
        }
        return config.messages().post(t, h, NO_CONTENT, wait, boundBody, abort);
    }

    private static final byte[] NO_CONTENT = new byte[0];

    /** Sets header {@code name} in a name, value list, replacing one of the same name (any case). */
    static void set(List<String> headers, String name, String value) {
        for (int i = 0; i < headers.size(); i += 2) {
            if (headers.get(i).equalsIgnoreCase(name)) {
                headers.set(i + 1, value);
                return;
            }
        }
        headers.add(name);
        headers.add(value);
    }

    /**
     * Sends {@code req} and waits at most {@code wait} for the response headers. The send is
     * asynchronous so that aborting {@code call} (a cancel, its timeout) ends the exchange even
     * before the upstream answered, freeing the thread and the connection. Returns null when
     * {@code call} was cancelled meanwhile; an unreachable upstream is an {@link UpstreamException}
     * naming the server and {@code shownAs} (null: no address).
     */
    <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> body, PendingCall call, Duration wait, URI shownAs) {
        try {
            CompletableFuture<HttpResponse<T>> sent = config.http().sendAsync(req, body);
            if (call != null) {
                call.onAbort(() -> sent.cancel(true));
            }
            return await(sent, wait);
        } catch (IOException e) {
            if (call != null && call.cancelled) {
                return null;
            }
            throw new UpstreamUnreachableException("cannot reach upstream '" + config.name() + "'"
                    + (shownAs == null ? "" : " at " + UpstreamIo.redact(shownAs)) + ": " + UpstreamIo.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted");
        }
    }

    /** {@link #send} of a request to the server's own URL, its body as a stream, within the request timeout. */
    HttpResponse<InputStream> send(HttpRequest req, PendingCall call) {
        return send(req, HttpResponse.BodyHandlers.ofInputStream(), call, config.requestTimeout(), config.uri());
    }

    /**
     * Runs {@code work} for {@code call} on its own virtual thread, so the caller is free to time out
     * or cancel meanwhile; a failure fails the call.
     */
    void inBackground(PendingCall call, Runnable work) {
        Thread.ofVirtual().name("upstream-" + config.name()).start(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                call.fail(e);
            }
        });
    }

    /** The whole body within the message limit. */
    byte[] readBody(InputStream in) throws IOException {
        return UpstreamIo.readBounded(in, config.maxMessageBytes(), config.name());
    }

    /**
     * Reads an event stream, handing each {@code message} event's JSON object to {@code onMessage}
     * until the stream ends or {@code call} has its answer. Malformed events are skipped. The
     * stream is this method's: it is closed, or left to the drain. When the stream ends right after
     * the answer (the usual case), its connection is kept for the next request. Else, with
     * {@code drainAfterAnswer}, the rest is read (and handed over) on a thread of its own for a
     * bounded time, so the caller has its answer at once and the connection may still be kept;
     * without, the stream is left at once (its connection closed).
     */
    void readEvents(InputStream in, PendingCall call, boolean drainAfterAnswer, Consumer<ObjectNode> onMessage) throws IOException {
        readEvents(in, call, null, drainAfterAnswer, onMessage);
    }

    /**
     * The same for the answer to a request of {@code method} (null: none): each message is read
     * from its event's bytes as a JSON body is ({@link RawResults#read(byte[], String)}), so a
     * result goes out as the bytes it arrived in, and a {@code tools/call} result nothing reads is
     * read only in summary.
     */
    void readEvents(InputStream in, PendingCall call, String method, boolean drainAfterAnswer, Consumer<ObjectNode> onMessage)
            throws IOException {
        SseReader sse = new SseReader(in, config.maxMessageBytes());
        boolean handedOff = false;
        try {
            SseReader.Event ev;
            while ((ev = sse.next()) != null) {
                ObjectNode m = message(ev, method);
                if (m != null) {
                    onMessage.accept(m);
                    if (call != null && call.done()) {
                        boolean ended = sse.buffered() == 0 && in instanceof MessageClient.Body b && b.endsWithoutWaiting();
                        if (!ended && drainAfterAnswer) {
                            handedOff = true;
                            Thread.ofVirtual().name("upstream-drain-" + config.name()).start(() -> {
                                try (sse) {
                                    drain(sse, in, onMessage);
                                } catch (IOException e) {
                                    // closing is best effort
                                }
                            });
                        }
                        return;
                    }
                }
            }
        } finally {
            if (!handedOff) {
                sse.close();
            }
        }
    }

    /** The JSON object a {@code message} event carries; null for other events, blank or malformed data. */
    ObjectNode message(SseReader.Event ev) {
        return message(ev, null);
    }

    /** The same, read as the answer to a request of {@code method} (see {@link #readEvents(InputStream, PendingCall, String, boolean, Consumer)}). */
    private ObjectNode message(SseReader.Event ev, String method) {
        if (!"message".equals(ev.name()) || ev.blank()) {
            return null;
        }
        try {
            JsonNode m = method == null ? Json.MAPPER.readTree(ev.bytes()) : RawResults.read(ev.bytes(), method);
            return m instanceof ObjectNode o ? o : null;
        } catch (JacksonException e) {
            log.info("upstream {} sent a malformed event; ignored: {}", config.name(), e.getOriginalMessage());
            return null;
        }
    }

    private void drain(SseReader sse, InputStream in, Consumer<ObjectNode> onMessage) {
        ScheduledFuture<?> cutOff = DRAIN_WATCHDOG.schedule(() -> closeQuietly(in), DRAIN_LIMIT_MS, TimeUnit.MILLISECONDS);
        try {
            SseReader.Event ev;
            while ((ev = sse.next()) != null) {
                ObjectNode m = message(ev);
                if (m != null) {
                    onMessage.accept(m);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("upstream {}: stream after the answer ended: {}", config.name(), e.getMessage());
        } finally {
            cutOff.cancel(false);
        }
    }

    // --- the stream outside any request (the 2025 GET stream, the 2026-07-28 listen stream)

    /**
     * Keeps the stream {@code opener} opens, reopening it with backoff, and hands each message to
     * {@code onMessage} (those {@code accept} lets through); replaces a listener already running.
     */
    void listen(StreamListener.Opener opener, Predicate<ObjectNode> accept, Consumer<ObjectNode> onMessage) {
        stopListening();
        if (closed) {
            return;
        }
        listener = new StreamListener(config.name(), config.maxMessageBytes(), () -> closed, opener, ev -> {
            ObjectNode m = message(ev);
            if (m != null && accept.test(m)) {
                onMessage.accept(m);
            }
        }).start();
    }

    /** Whether the listener's thread is reading (or about to reopen) its stream. */
    boolean listening() {
        StreamListener l = listener;
        return l != null && l.running();
    }

    void stopListening() {
        StreamListener l = listener;
        listener = null;
        if (l != null) {
            l.stop();
        }
    }

    // --- closing

    boolean closed() {
        return closed;
    }

    /** Marks the exchange closed and stops its listener; true the first time only. */
    boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        stopListening();
        return true;
    }

    static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    /**
     * Waits for the response headers of {@code sent}, at most {@code timeout}; cancelling the
     * future (an abort) or the time running out ends the exchange and frees its connection.
     */
    static <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> sent, Duration timeout)
            throws IOException, InterruptedException {
        try {
            return sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            sent.cancel(true);
            throw new java.net.http.HttpTimeoutException("no answer within " + timeout.toMillis() + " ms");
        } catch (CancellationException e) {
            throw new IOException("cancelled", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof CancellationException) {
                throw new IOException("cancelled", c);
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        } catch (InterruptedException e) {
            sent.cancel(true);
            throw e;
        }
    }
}
