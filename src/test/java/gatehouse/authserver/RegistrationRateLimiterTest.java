package gatehouse.authserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class RegistrationRateLimiterTest {
    @Test
    void limitsEachAddressAndEverybodyWithinAnHour() {
        RegistrationRateLimiter limiter = new RegistrationRateLimiter("/oauth2/register", 2, 3);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(limiter.admit("a", t)).isTrue();
        assertThat(limiter.admit("a", t)).isTrue();
        assertThat(limiter.admit("a", t)).as("third from one address").isFalse();
        assertThat(limiter.admit("b", t)).isTrue();
        assertThat(limiter.admit("c", t)).as("fourth overall").isFalse();
        assertThat(limiter.admit("a", t.plusSeconds(3601))).as("an hour later").isTrue();
    }
}
