package gatehouse.audit;

/**
 * Lets the log writer give up its core between short stretches of work. On a machine with few
 * cores, a batch written in one go (records prepared, then the database's inserts) held a core for
 * about 3 ms every 200 ms, and the scheduler let threads woken on that core (the request threads,
 * the connector's poller, a client on the same machine) wait for the rest of it: a call that
 * arrived then took milliseconds longer. Yielding every {@link #SLICE_NANOS} keeps that wait at a
 * fraction of a millisecond; when nothing else waits for the core, a yield returns at once.
 * Used by the writer thread only.
 */
final class Breather {
    /** The longest stretch of work between two yields. */
    static final long SLICE_NANOS = 200_000;

    private long since = System.nanoTime();
    private long yields;

    /** Starts a stretch: the work that follows may run for a slice before the next yield. */
    void start() {
        since = System.nanoTime();
    }

    /** Yields the core when the current stretch has run for a slice or longer. */
    void pause() {
        long now = System.nanoTime();
        if (now - since >= SLICE_NANOS) {
            Thread.yield();
            yields++;
            since = System.nanoTime();
        }
    }

    /** How many times it yielded since it was made. */
    long yields() {
        return yields;
    }
}
