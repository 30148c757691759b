package gatehouse.policy.limits;

import java.time.Duration;

/**
 * A gateway's own rate limits, set through the admin API: requests per minute per connection and
 * per person (0 = no limit of that kind on this gateway) and the burst a quiet caller may send at
 * once (0 = the per-minute number). They replace the {@code gatehouse.rate-limit.per-connection} and
 * {@code per-user} settings for that gateway; the per-gateway setting still applies.
 */
public record GatewayRateLimit(int perConnectionPerMinute, int perUserPerMinute, int burst) {
    public static final int MAX = 1_000_000;

    public GatewayRateLimit {
        check("perConnectionPerMinute", perConnectionPerMinute);
        check("perUserPerMinute", perUserPerMinute);
        check("burst", burst);
    }

    private static void check(String field, int value) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException(field + " must be between 0 and " + MAX + ", not " + value);
        }
    }

    public RateLimit perConnection() {
        return limit(perConnectionPerMinute);
    }

    public RateLimit perUser() {
        return limit(perUserPerMinute);
    }

    private RateLimit limit(int perMinute) {
        return perMinute == 0 ? RateLimit.OFF : new RateLimit(perMinute, Duration.ofMinutes(1), burst == 0 ? perMinute : burst);
    }
}
