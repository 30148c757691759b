package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream an upstream sends outside any request (the 2025 GET stream, the 2026-07-28
 * {@code subscriptions/listen} stream), read on its own thread and reopened with backoff after it
 * breaks, until {@link #stop()}, the session closing, or the upstream saying it offers none.
 * {@link #running()} stays true exactly as long as that thread does.
 */
final class StreamListener {
    private static final Logger log = LoggerFactory.getLogger(StreamListener.class);

    /** Opens the stream; null when the upstream offers none (the listener then ends). */
    interface Opener {
        InputStream open(String lastEventId) throws IOException, InterruptedException;
    }

    private final String serverName;
    private final long maxMessageBytes;
    private final BooleanSupplier closed;
    private final Opener opener;
    private final Consumer<SseReader.Event> onEvent;
    private volatile Thread thread;
    private volatile InputStream body;

    StreamListener(String serverName, long maxMessageBytes, BooleanSupplier closed, Opener opener,
                   Consumer<SseReader.Event> onEvent) {
        this.serverName = serverName;
        this.maxMessageBytes = maxMessageBytes;
        this.closed = closed;
        this.opener = opener;
        this.onEvent = onEvent;
    }

    /** Starts the reading thread; it is this listener's before it runs (else it could exit at once and never listen). */
    StreamListener start() {
        Thread t = Thread.ofVirtual().name("upstream-listen-" + serverName).unstarted(() -> {
            try {
                loop();
            } finally {
                synchronized (this) {
                    if (thread == Thread.currentThread()) {
                        thread = null;
                    }
                }
            }
        });
        synchronized (this) {
            thread = t;
        }
        t.start();
        return this;
    }

    boolean running() {
        return thread != null;
    }

    void stop() {
        Thread t;
        synchronized (this) {
            t = thread;
            thread = null;
        }
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        if (t != null) {
            t.interrupt();
        }
    }

    private void loop() {
        String lastEventId = null;
        int failures = 0;
        while (!closed.getAsBoolean() && Thread.currentThread() == thread) {
            try {
                InputStream in = opener.open(lastEventId);
                if (in == null) {
                    return;
                }
                body = in;
                if (closed.getAsBoolean() || Thread.currentThread() != thread) {
                    HttpExchange.closeQuietly(in); // stopped while it opened: stop() found no body to close
                    return;
                }
                try (SseReader sse = new SseReader(in, maxMessageBytes)) {
                    SseReader.Event ev;
                    while ((ev = sse.next()) != null) {
                        failures = 0;
                        lastEventId = sse.lastEventId();
                        if (!ev.blank()) {
                            onEvent.accept(ev);
                        }
                    }
                }
            } catch (IOException e) {
                failures++;
            } catch (MessageTooLargeException e) {
                log.info("upstream {} sent an event larger than {} bytes on its stream; reconnecting", serverName, maxMessageBytes);
                failures++;
            } catch (InterruptedException e) {
                return;
            }
            if (closed.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(Math.min(30_000, 500L << Math.min(failures, 6)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
