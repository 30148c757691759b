package gatehouse.identity;

import java.time.Duration;

import org.springframework.security.core.AuthenticationException;

/**
 * A sign-in attempt that came before its throttle allowed one. It is raised before the password
 * is looked at, for existing and unknown accounts alike, so it tells nothing about either.
 */
public class SignInThrottledException extends AuthenticationException {
    private final Duration retryAfter;

    public SignInThrottledException(Duration retryAfter) {
        super("Too many sign-in attempts; try again in " + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " seconds");
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
