package gatehouse.policy.limits;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets by key (a connection id, a person's id, a gateway id), kept as the instant their
 * bucket is full again ("theoretical arrival time"), so one number per key and no timer. The table
 * is bounded: past {@code maxKeys} the least recently used key is forgotten, which only ever lets
 * a forgotten caller start over with a full bucket, never refuses anyone wrongly.
 *
 * <p>Thread-safe; a check is a map look-up under one lock.
 */
public final class RateLimiter {
    /** Admitted, or refused until {@code retryAfter} has passed. */
    public sealed interface Outcome {
        record Admitted() implements Outcome {
        }

        record Refused(Duration retryAfter) implements Outcome {
        }
    }

    private static final Outcome ADMITTED = new Outcome.Admitted();

    private final RateLimit limit;
    private final Map<String, Long> fullAt;

    public RateLimiter(RateLimit limit, int maxKeys) {
        this.limit = limit;
        int bound = Math.max(1, maxKeys);
        this.fullAt = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > bound;
            }
        };
    }

    public RateLimit limit() {
        return limit;
    }

    /**
     * Takes one request from {@code key}'s bucket at {@code nowNanos} (any monotonic clock, the
     * same for every call), or says how long until one is free. A refused request takes nothing.
     */
    public Outcome acquire(String key, long nowNanos) {
        if (limit.off()) {
            return ADMITTED;
        }
        long step = limit.nanosPerRequest();
        long window = limit.windowNanos();
        synchronized (fullAt) {
            Long at = fullAt.get(key);
            long tat = at == null || at - nowNanos < 0 ? nowNanos : at;
            long next = tat + step;
            // The bucket holds `burst` tokens: admitted while the new arrival time is at most one
            // window ahead of now.
            if (next - nowNanos > window) {
                return new Outcome.Refused(Duration.ofNanos(next - window - nowNanos));
            }
            fullAt.put(key, next);
            return ADMITTED;
        }
    }

    /** How many keys are remembered (for tests of the bound). */
    public int size() {
        synchronized (fullAt) {
            return fullAt.size();
        }
    }
}
