package gatehouse.gateway.steps;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import gatehouse.policy.limits.RateLimit;

/**
 * {@code gatehouse.rate-limit.*}: requests per connection, per person (all their connections) and
 * per gateway (everyone on it). {@code requests: 0} switches a limit off; all are off unless set.
 */
@ConfigurationProperties("gatehouse.rate-limit")
public record RateLimitProperties(
        @DefaultValue Window perConnection,
        @DefaultValue Window perUser,
        @DefaultValue Window perGateway,
        @DefaultValue("100000") int maxTrackedCallers) {

    public record Window(@DefaultValue("0") int requests, @DefaultValue("1m") Duration per) {
        public RateLimit limit() {
            return new RateLimit(requests, per);
        }
    }
}
