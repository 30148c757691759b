package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import gatehouse.authserver.OAuthDriver;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.node.ObjectNode;

/**
 * Long-lived streams are authorized for as long as they stay open, not only when they open: a GET
 * stream or a {@code subscriptions/listen} stream ends once its credential no longer admits the
 * caller — an API token rotated away, an OAuth access token revoked, a person taken out of the team
 * that held the gateway. Each stream is first shown to stay open while nothing changes.
 */
class StreamReauthorizationTest extends GatewayTestSupport {
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(60);
    private static final String REDIRECT = "http://localhost:7777/callback";
    private static final String PASSWORD = "stream-reauth-password";

    private record Person(McpTestClient client, String clientId, String accessToken, AdminClient.Person who) {
    }

    private Person personConnects(String gateway) {
        AdminClient.Person who = admin.person(unique("streamer"), PASSWORD, unique("s") + "@example.com", gateway);
        OAuthDriver d = new OAuthDriver(baseUrl());
        String clientId = d.register(List.of(REDIRECT)).path("client_id").asString();
        String verifier = OAuthDriver.verifier();
        OAuthDriver.Outcome o = d.walk(d.authorizeUrl(clientId, REDIRECT, verifier, PUBLIC_URL + "/gateway/v1/mcp?gateway=" + gateway, "s"),
                who.username(), PASSWORD, null, Map.of(), true);
        assertThat(o.param("code")).as("code in %s", o.pages()).isNotNull();
        String access = d.exchange(clientId, o.param("code"), verifier, REDIRECT).access();
        McpTestClient client = new McpTestClient(mcpUrl(gateway), access);
        assertThat(client.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        return new Person(client, clientId, access, who);
    }

    /** A 2026-07-28 listen stream for tool list changes; returns once acknowledged. */
    private static CompletableFuture<Result> listen(McpTestClient client) {
        ObjectNode p = Json.object();
        p.putObject("notifications").put("toolsListChanged", true);
        ObjectNode meta = p.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
        meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, Json.object());
        List<ObjectNode> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Result> done = client.postAsync(Json.bytes(client.request("subscriptions/listen", p)),
                Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "subscriptions/listen"), events::add);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> events.stream()
                .anyMatch(m -> "notifications/subscriptions/acknowledged".equals(m.path("method").asString(null))));
        return done;
    }

    private static void staysOpen(CompletableFuture<?> stream) {
        // Streams are checked every second: three checks pass without ending it.
        Awaitility.await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(stream).as("a stream whose credential still admits it").isNotDone();
    }

    @Test
    void rotatingAnApiTokenEndsTheStreamsOpenedWithTheOldOne() {
        String gateway = admin.createGateway(unique("rotate"));
        AdminClient.Connection conn = admin.connect(gateway);
        McpTestClient c = client(conn);
        assertThat(c.initialize(Json.object()).status()).isEqualTo(200);
        McpTestClient.EventStream get = c.openStream();
        assertThat(get.status()).isEqualTo(200);
        CompletableFuture<Result> listen = listen(client(conn));
        staysOpen(get.ended());
        staysOpen(listen);

        String fresh = admin.expect(200, "POST", "/connections/" + conn.id() + "/token", null).path("token").asString();

        McpTestClient.join(get.ended(), ENDS_WITHIN);
        assertThat(McpTestClient.join(listen, ENDS_WITHIN).status()).isEqualTo(200);
        // The new token works; the old one is refused.
        assertThat(new McpTestClient(mcpUrl(gateway), fresh).initialize(Json.object()).status()).isEqualTo(200);
        assertThat(client(conn).initialize(Json.object()).status()).isEqualTo(401);
    }

    @Test
    void revokingAnOAuthAccessTokenEndsItsStreams() {
        String gateway = admin.createGateway(unique("revoke"));
        Person p = personConnects(gateway);
        McpTestClient.EventStream get = p.client().openStream();
        assertThat(get.status()).isEqualTo(200);
        CompletableFuture<Result> listen = listen(new McpTestClient(mcpUrl(gateway), p.accessToken()));
        staysOpen(get.ended());

        assertThat(new OAuthDriver(baseUrl()).revoke(p.clientId(), p.accessToken())).isEqualTo(200);

        McpTestClient.join(get.ended(), ENDS_WITHIN);
        McpTestClient.join(listen, ENDS_WITHIN);
    }

    @Test
    void aPersonTakenOutOfTheTeamLosesTheirOpenStreams() {
        String gateway = admin.createGateway(unique("leave"));
        Person p = personConnects(gateway);
        McpTestClient.EventStream get = p.client().openStream();
        assertThat(get.status()).isEqualTo(200);
        CompletableFuture<Result> listen = listen(new McpTestClient(mcpUrl(gateway), p.accessToken()));
        staysOpen(listen);

        admin.expect(204, "DELETE", "/teams/" + p.who().teamId() + "/members/" + p.who().userId(), null);

        McpTestClient.join(get.ended(), ENDS_WITHIN);
        McpTestClient.join(listen, ENDS_WITHIN);
    }
}
