package gatehouse.gateway.upstream;

import java.util.concurrent.CompletableFuture;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** One request in flight to an upstream, under the id Gatehouse gave it there. */
public final class PendingCall {
    final long upstreamId;
    final MessageSink related;
    final JsonNode clientProgressToken;
    final CompletableFuture<ObjectNode> result = new CompletableFuture<>();
    private volatile Runnable abort;
    volatile boolean cancelled;
    /** Its deadline passed while its exchange was under way (see {@link #timeOut}). */
    volatile boolean timedOut;
    /** When {@link Deadlines#CALLS} times it out ({@link System#nanoTime}). */
    volatile long deadlineNanos;

    PendingCall(long upstreamId, MessageSink related, JsonNode clientProgressToken) {
        this.upstreamId = upstreamId;
        this.related = related;
        this.clientProgressToken = clientProgressToken;
    }

    /** What ends the transport's exchange for this call; runs at once if the call was already cancelled. */
    void onAbort(Runnable r) {
        this.abort = r;
        if (cancelled) {
            r.run();
        }
    }

    void fail(Throwable t) {
        result.completeExceptionally(t);
    }

    boolean done() {
        return result.isDone();
    }

    /**
     * The deadline passed: ends the transport's exchange (from the timer's thread: closing a
     * connection never blocks); the caller's thread then reports the timeout.
     */
    void timeOut() {
        if (done()) {
            return;
        }
        timedOut = true;
        cancelled = true;
        abortTransport();
    }

    void abortTransport() {
        Runnable r = abort;
        if (r != null) {
            r.run();
        }
    }
}
