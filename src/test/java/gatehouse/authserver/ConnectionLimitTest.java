package gatehouse.authserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;

/**
 * Registration is open, and every client a person approves becomes one of their connections: one
 * person must not be able to create connections without end. Past
 * {@code gatehouse.oauth.max-connections-per-user} a new client is refused ({@code access_denied}
 * naming the setting, no code), an administrator is alerted, and clients already connected go on.
 */
@TestPropertySource(properties = "gatehouse.oauth.max-connections-per-user=2")
class ConnectionLimitTest extends GatewayTestSupport {
    private static final String REDIRECT = "http://localhost:7777/callback";
    private static final String PASSWORD = "correct horse battery";

    private OAuthDriver.Outcome approve(OAuthDriver d, String clientId, String user, String gateway) {
        String verifier = OAuthDriver.verifier();
        String resource = PUBLIC_URL + "/gateway/v1/mcp?gateway=" + gateway;
        return d.walk(d.authorizeUrl(clientId, REDIRECT, verifier, resource, "st-9"), user, PASSWORD, null, Map.of(), true);
    }

    @Test
    void aPersonsThirdClientIsRefusedNamingTheLimitAndTheFirstConnectsAgain() {
        String gateway = admin.createGateway(unique("conn-limit"));
        String user = unique("dana");
        AdminClient.Person person = admin.person(user, PASSWORD, "d@example.com", gateway);
        OAuthDriver d = new OAuthDriver(baseUrl());
        String first = d.register(List.of(REDIRECT)).path("client_id").asString();
        String second = d.register(List.of(REDIRECT)).path("client_id").asString();
        String third = d.register(List.of(REDIRECT)).path("client_id").asString();
        assertThat(approve(d, first, user, gateway).param("code")).isNotNull();
        assertThat(approve(d, second, user, gateway).param("code")).isNotNull();

        OAuthDriver.Outcome refused = approve(d, third, user, gateway);

        assertThat(refused.param("code")).as("no code for the third client: %s", refused.pages()).isNull();
        assertThat(refused.param("error")).isEqualTo("access_denied");
        assertThat(refused.param("error_description")).contains("gatehouse.oauth.max-connections-per-user");
        assertThat(refused.param("state")).isEqualTo("st-9");
        assertThat(admin.send("GET", "/connections?gateway=" + gateway, null).body().valueStream()
                .filter(c -> person.userId().equals(c.path("userId").asString(null))).count()).as("still two connections").isEqualTo(2);
        assertThat(approve(d, first, user, gateway).param("code")).as("a connected client connecting again is not new").isNotNull();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.send("GET", "/alerts", null).body()).anySatisfy(a -> {
            assertThat(a.path("type").asString()).isEqualTo("bound-reached");
            assertThat(a.path("subject").asString()).isEqualTo("gatehouse.oauth.max-connections-per-user " + person.userId());
        }));
    }
}
