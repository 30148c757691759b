package gatehouse.gateway.upstream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of calls whose exchange runs on the caller's thread: one sweep every
 * {@value #TICK_MS} ms times out the calls whose deadline passed ({@link PendingCall#timeOut}:
 * their connection is closed, the caller reports the timeout). A set and a sweep instead of a
 * timer task per call: scheduling and cancelling a task per call cost more than the sweep, and a
 * deadline of seconds does not need better than a tick's precision.
 */
final class CallDeadlines {
    static final long TICK_MS = 50;
    private static final Set<PendingCall> WATCHED = ConcurrentHashMap.newKeySet();

    static {
        MessageClient.TIMER.scheduleWithFixedDelay(CallDeadlines::sweep, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private CallDeadlines() {
    }

    /** Watches {@code call} until {@link #release}; at {@code deadlineNanos} (of {@link System#nanoTime}) it times out. */
    static void watch(PendingCall call, long deadlineNanos) {
        call.deadlineNanos = deadlineNanos;
        WATCHED.add(call);
    }

    static void release(PendingCall call) {
        WATCHED.remove(call);
    }

    private static void sweep() {
        long now = System.nanoTime();
        for (PendingCall call : WATCHED) {
            if (now - call.deadlineNanos >= 0 && WATCHED.remove(call)) {
                try {
                    call.timeOut();
                } catch (RuntimeException e) {
                    // closing a connection is best effort; the caller still sees the deadline
                }
            }
        }
    }
}
