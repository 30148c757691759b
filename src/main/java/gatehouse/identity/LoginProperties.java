package gatehouse.identity;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Local sign-in: how many wrong passwords lock an account and for how long, and the throttle that
 * slows guessing before that: after {@code freeFailures} wrong passwords for one account (or from
 * one client address), each further attempt must wait {@code baseDelay}, doubling per failure up to
 * {@code maxDelay}; failures are forgotten {@code forgetAfter} after the last one. A zero
 * {@code baseDelay} turns the throttle off. {@code localEnabled: false} switches password sign-in
 * off altogether, leaving only the SSO providers.
 */
@ConfigurationProperties("gatehouse.login")
public record LoginProperties(@DefaultValue("5") int maxFailures, @DefaultValue("15m") Duration lockout,
                              Throttle accountThrottle, Throttle addressThrottle, @DefaultValue("true") boolean localEnabled) {

    @ConstructorBinding
    public LoginProperties {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("gatehouse.login.max-failures must be at least 1");
        }
        accountThrottle = accountThrottle == null ? new Throttle(3, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(15)) : accountThrottle;
        addressThrottle = addressThrottle == null ? new Throttle(10, Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(15)) : addressThrottle;
    }

    /** Password sign-in on. */
    public LoginProperties(int maxFailures, Duration lockout, Throttle accountThrottle, Throttle addressThrottle) {
        this(maxFailures, lockout, accountThrottle, addressThrottle, true);
    }

    /** Growing delays for one kind of key (an account name or a client address). */
    public record Throttle(@DefaultValue("3") int freeFailures, @DefaultValue("1s") Duration baseDelay,
                           @DefaultValue("1m") Duration maxDelay, @DefaultValue("15m") Duration forgetAfter) {
        public Throttle {
            if (freeFailures < 0 || baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0 || forgetAfter.isNegative()) {
                throw new IllegalArgumentException("a sign-in throttle needs freeFailures >= 0 and 0 <= baseDelay <= maxDelay");
            }
        }

        public boolean off() {
            return baseDelay.isZero();
        }

        /** How long to wait after the given number of failures. */
        Duration delayAfter(int failures) {
            if (off() || failures <= freeFailures) {
                return Duration.ZERO;
            }
            int doublings = Math.min(failures - freeFailures - 1, 30);
            Duration d = baseDelay.multipliedBy(1L << doublings);
            return d.compareTo(maxDelay) > 0 ? maxDelay : d;
        }
    }
}
