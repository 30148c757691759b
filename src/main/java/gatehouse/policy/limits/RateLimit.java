package gatehouse.policy.limits;

import java.time.Duration;

/**
 * At most {@code requests} per {@code per}, refilled evenly (a token bucket holding {@code requests}
 * tokens): a quiet caller may burst up to the whole allowance, a busy one gets one request every
 * {@code per / requests}. {@code requests = 0} switches the limit off.
 */
public record RateLimit(int requests, Duration per) {
    public static final RateLimit OFF = new RateLimit(0, Duration.ofMinutes(1));

    public RateLimit {
        if (requests < 0) {
            throw new IllegalArgumentException("a rate limit's requests must be 0 (off) or more, not " + requests);
        }
        if (per == null || per.isZero() || per.isNegative()) {
            throw new IllegalArgumentException("a rate limit's period must be positive, not " + per);
        }
    }

    public boolean off() {
        return requests == 0;
    }

    /** Nanoseconds it takes to earn one request back. */
    long nanosPerRequest() {
        return Math.max(1, per.toNanos() / requests);
    }

    @Override
    public String toString() {
        return off() ? "off" : requests + " per " + per;
    }
}
