package gatehouse.audit;

import java.util.function.LongSupplier;

/**
 * Lets the log writer give up its core between short stretches of work. On a machine with few
 * cores, a batch written in one go (records prepared, then the embedded database's inserts) held a
 * core for about 3 ms every 200 ms, and the scheduler let threads woken on that core (the request
 * threads, the connector's poller, a client on the same machine) wait 2–4 ms for it: a call that
 * arrived then took milliseconds longer. Yielding every {@link #SLICE_NANOS} of work keeps that
 * wait short; when nothing else waits for the core, a yield returns at once. Used by one thread at
 * a time.
 */
final class Breather {
    /** The longest stretch of work between two yields. */
    static final long SLICE_NANOS = 200_000;

    private final LongSupplier clock;
    private long since;
    private long yields;

    Breather() {
        this(System::nanoTime);
    }

    /** {@code clock}: nanoseconds, as {@link System#nanoTime}. */
    Breather(LongSupplier clock) {
        this.clock = clock;
        this.since = clock.getAsLong();
    }

    /** Starts a stretch: the work that follows may run for a slice before the next yield. */
    void start() {
        since = clock.getAsLong();
    }

    /** Yields the core when the current stretch has run for a slice or longer. */
    void pause() {
        long now = clock.getAsLong();
        if (now - since >= SLICE_NANOS) {
            Thread.yield();
            yields++;
            since = clock.getAsLong();
        }
    }

    /** How many times it yielded since it was made. */
    long yields() {
        return yields;
    }
}
