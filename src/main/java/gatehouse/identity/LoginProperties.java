package gatehouse.identity;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Local sign-in: how many wrong passwords in a row lock an account, and for how long. */
@ConfigurationProperties("gatehouse.login")
public record LoginProperties(@DefaultValue("5") int maxFailures, @DefaultValue("15m") Duration lockout) {
}
