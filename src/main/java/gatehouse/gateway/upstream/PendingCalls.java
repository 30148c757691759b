package gatehouse.gateway.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The requests in flight on one upstream session. Each upstream session numbers its own requests
 * (clients' ids may clash), and progress tokens are replaced by ones that lead back to the call,
 * so a response or a progress notification finds the call it belongs to.
 */
final class PendingCalls {
    private static final String PROGRESS_PREFIX = "gh-progress-";

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, PendingCall> pending = new ConcurrentHashMap<>();
    private volatile PendingCall latest;

    /** A new call under a fresh id; {@code clientProgressToken} is restored on its progress notifications. */
    PendingCall open(MessageSink related, JsonNode clientProgressToken) {
        PendingCall call = new PendingCall(ids.incrementAndGet(), related, clientProgressToken);
        pending.put(call.upstreamId, call);
        latest = call;
        return call;
    }

    /** The progress token the upstream sees for {@code call}. */
    static String progressToken(PendingCall call) {
        return PROGRESS_PREFIX + call.upstreamId;
    }

    void finished(PendingCall call) {
        pending.remove(call.upstreamId);
    }

    /** Completes the call {@code response} answers; false when no call waits for it (unknown or finished). */
    boolean answer(ObjectNode response) {
        JsonNode id = response.get("id");
        PendingCall call = id != null && id.isIntegralNumber() ? pending.get(id.longValue()) : null;
        if (call == null) {
            return false;
        }
        call.result.complete(response);
        return true;
    }

    /** Whether {@code progress} carries one of this session's progress tokens. */
    boolean isOurs(ObjectNode progress) {
        JsonNode token = progress.path("params").get("progressToken");
        return token != null && token.isString() && token.stringValue().startsWith(PROGRESS_PREFIX);
    }

    /** The call an {@linkplain #isOurs own} progress notification belongs to, its token restored; null when it is over. */
    PendingCall progressOf(ObjectNode progress) {
        String token = progress.path("params").path("progressToken").asString("");
        try {
            PendingCall call = pending.get(Long.parseLong(token.substring(PROGRESS_PREFIX.length())));
            if (call != null) {
                ((ObjectNode) progress.get("params")).set("progressToken", call.clientProgressToken);
            }
            return call;
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** The call started last, while it is in flight. */
    PendingCall latestInFlight() {
        PendingCall last = latest;
        return last != null && !last.done() ? last : null;
    }

    /** The calls in flight whose caller takes related messages. */
    List<PendingCall> inFlightWithCaller() {
        List<PendingCall> out = new ArrayList<>(2);
        for (PendingCall c : pending.values()) {
            if (c.related != null && !c.done()) {
                out.add(c);
            }
        }
        return out;
    }

    /** Fails every call in flight, e.g. when the process died; {@code ours}: Gatehouse closed the session itself. */
    void failAll(String why, boolean ours) {
        for (PendingCall call : pending.values()) {
            call.fail(ours ? new SessionClosedException(why) : new UpstreamException(why));
        }
    }
}
