package gatehouse.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;

/** One token cannot fill the session table: its own least recently used session gives way. */
class SessionLimitsTest extends GatewayTestSupport {
    private static final int PER_CONNECTION = 100; // gatehouse.mcp.max-sessions-per-connection default

    @Test
    void beyondTheLimitAConnectionsLeastRecentlyUsedSessionIsClosedAndOthersAreUntouched() {
        String gw = admin.createGateway(unique("session-limits"));
        AdminClient.Connection greedy = admin.connect(gw);
        AdminClient.Connection other = admin.connect(gw);
        McpTestClient bystander = client(other);
        bystander.initialize(McpTestClient.capabilities());

        List<McpTestClient> sessions = new ArrayList<>();
        for (int i = 0; i < PER_CONNECTION + 1; i++) {
            McpTestClient c = client(greedy);
            assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            sessions.add(c);
        }

        assertThat(sessions.getFirst().call("ping", Json.object()).status()).as("oldest session of the greedy connection").isEqualTo(404);
        assertThat(sessions.get(1).call("ping", Json.object()).status()).isEqualTo(200);
        assertThat(sessions.getLast().call("ping", Json.object()).status()).isEqualTo(200);
        assertThat(bystander.call("ping", Json.object()).status()).as("another connection's session").isEqualTo(200);
        // Administrators hear about it once, not once per evicted session.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                admin.send("GET", "/alerts?type=bound-reached", null).body().valueStream()
                        .filter(a -> a.path("subject").asString().equals("gatehouse.mcp.max-sessions-per-connection " + greedy.id()))
                        .toList()).singleElement().satisfies(a -> assertThat(a.path("message").asString()).contains("100 sessions")));
    }
}
