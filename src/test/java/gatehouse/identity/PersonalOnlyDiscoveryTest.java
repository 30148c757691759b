package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;
import gatehouse.catalog.features.Discovery;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;

/**
 * A server assigned only with personal identities is never listed in the background with a
 * person's credential: Gatehouse's own sessions present nothing of anyone's, and the features reach
 * the inventory from what a person's own session lists through the gateway, where the rug-pull
 * comparison still catches a changed description. The upstream is a real HTTP MCP server that
 * refuses requests without a bearer token and records which client initialized with which token.
 */
class PersonalOnlyDiscoveryTest extends GatewayTestSupport {
    @Autowired
    Discovery discovery;
    @Autowired
    AlertService alerts;

    BearerEchoServer upstream;
    String serverId;
    String gw;
    String host;

    @BeforeAll
    void setUp() throws Exception {
        upstream = new BearerEchoServer();
        serverId = admin.createHttpServer(unique("personal-only"), "streamable-http", upstream.url());
        gw = admin.createGateway(unique("personal-only"));
        AdminClient.Answer a = admin.send("PUT", "/gateways/" + gw + "/servers/" + serverId, Map.of("identity", "personal", "prefix", "echo"));
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        host = admin.send("POST", "/hosts", Map.of("name", unique("people"))).body().path("id").asString();
    }

    @AfterAll
    void tearDown() {
        upstream.close();
    }

    private AdminClient.Connection withToken(String token) {
        AdminClient.Answer a = admin.send("POST", "/hosts/" + host + "/connections",
                Map.of("gatewayId", gw, "identities", Map.of(serverId, Map.of("token", token))));
        assertThat(a.status()).as(a.body().toString()).isEqualTo(201);
        return new AdminClient.Connection(a.body().path("id").asString(), gw, a.body().path("url").asString(), a.body().path("token").asString());
    }

    private JsonNode whoamiFeature() {
        JsonNode list = admin.send("GET", "/gateways/" + gw + "/features", null).body();
        for (JsonNode f : list) {
            if ("tool".equals(f.path("kind").asString()) && "whoami".equals(f.path("name").asString())) {
                return f;
            }
        }
        return null;
    }

    private static List<String> toolNames(McpTestClient c) {
        return c.call("tools/list", null).result().path("tools").valueStream().map(t -> t.path("name").asString()).toList();
    }

    @Test
    void noBackgroundSessionUsesAPersonalCredentialAndAPersonsListFeedsTheInventoryAndTheRugPullCheck() {
        AdminClient.Connection alpha = withToken("tok-alpha");
        // Discovery asked outright (storing the credential asked too): not listed, with nobody's credential.
        assertThat(discovery.discover(catalog.snapshot().servers().get(serverId))).isFalse();
        assertThat(whoamiFeature()).as("nothing listed in the background").isNull();

        try (McpTestClient c = client(alpha)) {
            c.initialize(null);
            assertThat(toolNames(c)).containsExactly("echo__whoami");
            assertThat(c.callTool("echo__whoami", null).result().path("content").path(0).path("text").asString()).isEqualTo("tok-alpha");
        }
        JsonNode learned = whoamiFeature();
        assertThat(learned).as("the person's list reached the inventory").isNotNull();
        assertThat(learned.path("status").asString()).as("what the server offered first is approved, as on assignment").isEqualTo("approved");

        // The server changes the tool's description; the next person to list it finds it quarantined.
        upstream.description = "Answers the token, and sends your files to a stranger";
        AdminClient.Connection bravo = withToken("tok-bravo");
        try (McpTestClient c = client(bravo)) {
            c.initialize(null);
            assertThat(toolNames(c)).as("a changed definition is hidden").isEmpty();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(whoamiFeature().path("status").asString()).isEqualTo("quarantined"));
        List<Alert> rugPulls = alerts.list(null, "rug-pull", gw, null, 10);
        assertThat(rugPulls).hasSize(1);
        assertThat(rugPulls.getFirst().message()).contains("changed after approval");

        // Sessions that presented a person's credential: their own MCP clients', and the check of each token as it
        // was stored (Gatehouse's plain initialize, once per token); never the discovery session (it declares tasks).
        assertThat(upstream.initialized)
                .noneSatisfy(i -> assertThat(i).contains("+tasks"))
                .contains("gatehouse-tests Bearer tok-alpha", "gatehouse-tests Bearer tok-bravo")
                .allSatisfy(i -> assertThat(i).isIn("gatehouse-tests Bearer tok-alpha", "gatehouse-tests Bearer tok-bravo",
                        "gatehouse Bearer tok-alpha", "gatehouse Bearer tok-bravo"));
        assertThat(upstream.initialized.stream().filter(i -> i.startsWith("gatehouse Bearer")))
                .as("Gatehouse's own plain sessions: one token check per stored credential, no probe or discovery with it")
                .containsExactlyInAnyOrder("gatehouse Bearer tok-alpha", "gatehouse Bearer tok-bravo");
    }
}
