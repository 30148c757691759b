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

    @Test
    void anEncodedOrPaddedPathIsLimitedLikeThePlainOne() throws Exception {
        RegistrationRateLimiter limiter = new RegistrationRateLimiter("/oauth2/register", 1, 100);
        // What the container hands over for each raw URI: the decoded, normalized servlet path.
        String[][] variants = {{"/oauth2/register", "/oauth2/register"}, {"/oauth2/%72egister", "/oauth2/register"},
                {"/oauth2//register", "/oauth2//register"}, {"/oauth2/register/", "/oauth2/register/"}, {"/oauth2/./register;x=1", "/oauth2/register"}};
        int refused = 0;
        for (String[] v : variants) {
            org.springframework.mock.web.MockHttpServletRequest req = new org.springframework.mock.web.MockHttpServletRequest("POST", v[0]);
            req.setServletPath(v[1]);
            req.setRemoteAddr("192.0.2.9");
            org.springframework.mock.web.MockHttpServletResponse resp = new org.springframework.mock.web.MockHttpServletResponse();
            limiter.doFilter(req, resp, new org.springframework.mock.web.MockFilterChain());
            if (resp.getStatus() == 429) {
                refused++;
                assertThat(resp.getHeader("Retry-After")).isNotBlank();
            }
        }
        assertThat(refused).as("only the first of five spellings gets through").isEqualTo(variants.length - 1);
    }
}
