package gatehouse.gateway.upstream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

/**
 * Deadlines of exchanges that run on the caller's thread, checked by one sweep every
 * {@value #TICK_MS} ms of the upstream timer: whatever is past its deadline is handed to the
 * action (which closes its connection; the caller then reports the timeout). A set and a sweep
 * instead of a timer task each: scheduling and cancelling a task per call cost more than the sweep,
 * and deadlines of seconds do not need better than a tick's precision. The deadline is kept in the
 * watched object itself, so watching allocates nothing.
 */
final class Deadlines<T> {
    static final long TICK_MS = 50;

    /** Upstream calls: past their deadline they time out ({@link PendingCall#timeOut}). */
    static final Deadlines<PendingCall> CALLS = new Deadlines<>(c -> c.deadlineNanos, (c, d) -> c.deadlineNanos = d,
            PendingCall::timeOut);

    private final Set<T> watched = ConcurrentHashMap.newKeySet();
    private final ToLongFunction<T> deadlineOf;
    private final ObjLongConsumer<T> setDeadline;
    private final Consumer<T> onPast;

    Deadlines(ToLongFunction<T> deadlineOf, ObjLongConsumer<T> setDeadline, Consumer<T> onPast) {
        this.deadlineOf = deadlineOf;
        this.setDeadline = setDeadline;
        this.onPast = onPast;
        MessageClient.TIMER.scheduleWithFixedDelay(this::sweep, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Watches {@code item} until {@link #release}; at {@code deadlineNanos} (of {@link System#nanoTime}) the action gets it. */
    void watch(T item, long deadlineNanos) {
        setDeadline.accept(item, deadlineNanos);
        watched.add(item);
    }

    void release(T item) {
        watched.remove(item);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (T item : watched) {
            if (now - deadlineOf.applyAsLong(item) >= 0 && watched.remove(item)) {
                try {
                    onPast.accept(item);
                } catch (RuntimeException e) {
                    // closing a connection is best effort; the caller still sees the deadline
                }
            }
        }
    }
}
