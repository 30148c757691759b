package gatehouse.policy.limits;

import java.time.Duration;

/**
 * At most {@code requests} per {@code per}, refilled evenly (a token bucket holding {@code burst}
 * tokens): a quiet caller may send {@code burst} requests at once, a busy one gets one request every
 * {@code per / requests}. Without a burst of its own the bucket holds the whole allowance.
 * {@code requests = 0} switches the limit off.
 */
public record RateLimit(int requests, Duration per, int burst) {
    public static final RateLimit OFF = new RateLimit(0, Duration.ofMinutes(1));

    public RateLimit(int requests, Duration per) {
        this(requests, per, requests);
    }

    public RateLimit {
        if (requests < 0) {
            throw new IllegalArgumentException("a rate limit's requests must be 0 (off) or more, not " + requests);
        }
        if (per == null || per.isZero() || per.isNegative()) {
            throw new IllegalArgumentException("a rate limit's period must be positive, not " + per);
        }
        if (burst < 0 || (requests > 0 && burst < 1)) {
            throw new IllegalArgumentException("a rate limit's burst must be at least 1, not " + burst);
        }
    }

    public boolean off() {
        return requests == 0;
    }

    /** Nanoseconds it takes to earn one request back. */
    long nanosPerRequest() {
        return Math.max(1, per.toNanos() / requests);
    }

    /** Nanoseconds a full bucket stands for: {@code burst} requests' worth. */
    long windowNanos() {
        return burst == requests ? per.toNanos() : nanosPerRequest() * burst;
    }

    @Override
    public String toString() {
        return off() ? "off" : requests + " per " + per + (burst == requests ? "" : " (burst " + burst + ")");
    }
}
