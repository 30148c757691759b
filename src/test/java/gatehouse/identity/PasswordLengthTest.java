package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;

/**
 * The password hash reads at most 72 bytes: a longer password is a 400 naming the field (found by
 * schemathesis as a 500), on create and on change, while 72 bytes exactly still work.
 */
class PasswordLengthTest extends GatewayTestSupport {

    @Test
    void aPasswordLongerThanTheHashReadsIsRefusedWithTheReason() {
        String tooLong = "é".repeat(37); // 74 bytes in UTF-8, 37 characters
        AdminClient.Answer created = admin.send("POST", "/users", Map.of("username", unique("long-pw"), "password", tooLong));
        assertThat(created.status()).as(created.text()).isEqualTo(400);
        assertThat(created.text()).contains("password").contains("72 bytes");

        String id = admin.createUser(unique("pw-change"), "a".repeat(72), "p@example.com");
        AdminClient.Answer changed = admin.send("PATCH", "/users/" + id, Map.of("password", "x".repeat(73)));
        assertThat(changed.status()).as(changed.text()).isEqualTo(400);
        assertThat(changed.text()).contains("72 bytes");
        assertThat(admin.send("PATCH", "/users/" + id, Map.of("password", "y".repeat(72))).status()).isEqualTo(200);
    }
}
