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

    void abortTransport() {
        Runnable r = abort;
        if (r != null) {
            r.run();
        }
    }
}
