package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.alerts.AlertService;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;

/**
 * Identities on upstream calls: a personal server gets each connection's own credential, a shared
 * one the assignment's; a connection without a usable credential is told what to do; upstream OAuth
 * tokens are refreshed, and a failed refresh is marked, alerted and explained. The upstream is a
 * real HTTP MCP server that answers with the bearer token it received.
 */
class PersonalIdentityTest extends GatewayTestSupport {
    @Autowired
    IdentityVault vault;
    @Autowired
    CredentialRefresh refresher;
    @Autowired
    AlertService alerts;
    @Autowired
    UpstreamOAuth oauth;

    BearerEchoServer upstream;
    String serverId;
    String gw;
    String host;

    @BeforeAll
    void setUp() throws Exception {
        upstream = new BearerEchoServer();
        serverId = admin.createHttpServer(unique("echo"), "streamable-http", upstream.url());
        gw = admin.createGateway(unique("personal"));
        AdminClient.Answer a = admin.send("PUT", "/gateways/" + gw + "/servers/" + serverId, Map.of("identity", "personal", "prefix", "echo"));
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        assertThat(a.body().path("identity").asString()).isEqualTo("personal");
        host = admin.send("POST", "/hosts", Map.of("name", unique("agents"))).body().path("id").asString();
    }

    @AfterAll
    void tearDown() {
        upstream.close();
    }

    private AdminClient.Connection connection(Map<String, Object> body) {
        AdminClient.Answer a = admin.send("POST", "/hosts/" + host + "/connections", body);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(201);
        return new AdminClient.Connection(a.body().path("id").asString(), gw, a.body().path("url").asString(), a.body().path("token").asString());
    }

    private AdminClient.Connection withToken(String token) {
        return connection(Map.of("gatewayId", gw, "identities", Map.of(serverId, Map.of("token", token))));
    }

    private static String whoami(McpTestClient c) {
        Result r = c.callTool("echo__whoami", null);
        assertThat(r.response().has("error")).as(r.body()).isFalse();
        return r.result().path("content").path(0).path("text").asString();
    }

    private JsonNode identityOf(String connectionId) {
        return admin.send("GET", "/connections/" + connectionId, null).body().path("identities").path(0);
    }

    @Test
    void eachConnectionCallsThePersonalServerWithItsOwnCredential() {
        AdminClient.Connection a = withToken("tok-alpha");
        AdminClient.Connection b = withToken("tok-bravo");
        try (McpTestClient ca = client(a); McpTestClient cb = client(b)) {
            ca.initialize(null);
            cb.initialize(null);
            assertThat(whoami(ca)).isEqualTo("tok-alpha");
            assertThat(whoami(cb)).isEqualTo("tok-bravo");
            assertThat(whoami(ca)).isEqualTo("tok-alpha");
        }
        // Secrets never come back from the admin API; the state does.
        AdminClient.Answer list = admin.send("GET", "/connections?gateway=" + gw, null);
        assertThat(list.body().toString()).doesNotContain("tok-alpha").doesNotContain("tok-bravo");
        assertThat(identityOf(a.id()).path("serverId").asString()).isEqualTo(serverId);
        assertThat(identityOf(a.id()).path("state").asString()).isEqualTo("ok");
    }

    @Test
    void aConnectionWithoutACredentialIsToldWhatToDoAndListsLeaveTheServerOut() {
        AdminClient.Connection none = connection(Map.of("gatewayId", gw));
        assertThat(identityOf(none.id()).path("state").asString()).isEqualTo("missing");
        int before = upstream.seen.size();
        try (McpTestClient c = client(none)) {
            c.initialize(null);
            Result call = c.callTool("echo__whoami", null);
            assertThat(call.response().has("error")).as(call.body()).isTrue();
            assertThat(call.error().path("message").asString()).contains("needs a personal credential").contains("/identities/" + serverId);
            assertThat(call.error().path("data").path("identity").asString()).isEqualTo("missing");
            // Any name under the server's prefix answers the same: nothing about its tools is revealed.
            assertThat(c.callTool("echo__no-such-tool", null).error().path("message").asString()).isEqualTo(call.error().path("message").asString());
            Result tools = c.call("tools/list", null);
            assertThat(tools.result().path("tools").size()).isZero();
            assertThat(tools.result().path("_meta").path("io.gatehouse/unavailable").toString()).contains("needs a personal credential");
            assertThat(upstream.seen.size()).as("nothing reached the upstream").isEqualTo(before);

            // An administrator adds the credential: the same session now reaches the server as that connection.
            AdminClient.Answer put = admin.send("PUT", "/connections/" + none.id() + "/identities/" + serverId, Map.of("token", "tok-late"));
            assertThat(put.status()).as(put.body().toString()).isEqualTo(200);
            assertThat(put.body().toString()).doesNotContain("tok-late");
            assertThat(whoami(c)).isEqualTo("tok-late");
        }
    }

    @Test
    void aRevokedCredentialStopsAtTheNextCall() {
        AdminClient.Connection a = withToken("tok-revoke-me");
        try (McpTestClient c = client(a)) {
            c.initialize(null);
            assertThat(whoami(c)).isEqualTo("tok-revoke-me");
            AdminClient.Answer r = admin.send("POST", "/connections/" + a.id() + "/identities/" + serverId + "/revoke", null);
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            assertThat(r.body().path("state").asString()).isEqualTo("revoked");
            Result call = c.callTool("echo__whoami", null);
            assertThat(call.response().has("error")).as(call.body()).isTrue();
            assertThat(call.error().path("message").asString()).contains("was revoked").contains("PUT /api/v1/connections/" + a.id() + "/identities/" + serverId);
        }
        // A static token has nothing to refresh.
        AdminClient.Connection b = withToken("tok-static");
        assertThat(admin.send("POST", "/connections/" + b.id() + "/identities/" + serverId + "/refresh", null).status()).isEqualTo(400);
        assertThat(refresher.refreshable(catalog.connection(b.id()), serverId)).isFalse();
    }

    @Test
    void badIdentityInputIsRefused() {
        String stdio = admin.createStdioServer(unique("stdio"), List.of("true"));
        AdminClient.Answer personalStdio = admin.send("PUT", "/gateways/" + gw + "/servers/" + stdio, Map.of("identity", "personal"));
        assertThat(personalStdio.status()).isEqualTo(400);
        assertThat(personalStdio.body().toString()).contains("stdio");
        AdminClient.Answer tokenOnPersonal = admin.send("PUT", "/gateways/" + gw + "/servers/" + serverId,
                Map.of("identity", "personal", "prefix", "echo", "token", "x"));
        assertThat(tokenOnPersonal.status()).isEqualTo(400);
        AdminClient.Answer unknownServer = admin.send("POST", "/hosts/" + host + "/connections",
                Map.of("gatewayId", gw, "identities", Map.of(stdio, Map.of("token", "x"))));
        assertThat(unknownServer.status()).isEqualTo(400);
        AdminClient.Answer noToken = admin.send("POST", "/hosts/" + host + "/connections",
                Map.of("gatewayId", gw, "identities", Map.of(serverId, Map.of("secret", "x"))));
        assertThat(noToken.status()).isEqualTo(400);
    }

    @Test
    void aSharedAssignmentPresentsItsSharedIdentityToEveryone() {
        String sharedGw = admin.createGateway(unique("shared"));
        AdminClient.Answer a = admin.send("PUT", "/gateways/" + sharedGw + "/servers/" + serverId,
                Map.of("identity", "shared", "prefix", "echo", "token", "tok-team"));
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        assertThat(a.body().toString()).doesNotContain("tok-team");
        AdminClient.Connection c1 = admin.connect(sharedGw);
        AdminClient.Connection c2 = admin.connect(sharedGw);
        try (McpTestClient x = client(c1); McpTestClient y = client(c2)) {
            x.initialize(null);
            y.initialize(null);
            assertThat(whoami(x)).isEqualTo("tok-team");
            assertThat(whoami(y)).isEqualTo("tok-team");
            // Replaced by the admin: the next call presents the new one.
            assertThat(admin.send("PUT", "/gateways/" + sharedGw + "/servers/" + serverId + "/identity", Map.of("token", "tok-team-2")).status())
                    .isEqualTo(200);
            assertThat(whoami(x)).isEqualTo("tok-team-2");
        }
        assertThat(admin.send("GET", "/gateways/" + sharedGw + "/servers", null).body().toString()).doesNotContain("tok-team");
    }

    private AdminClient.Connection withOAuth(String refreshToken, Instant expiresAt) {
        AdminClient.Connection c = connection(Map.of("gatewayId", gw));
        UpstreamTokens t = new UpstreamTokens("stale-access", refreshToken, upstream.tokenEndpoint(), "client-1", null, upstream.url(), null);
        vault.store(new IdentityVault.Owner(null, c.id()), serverId, IdentityVault.OAUTH, t.toJson(), expiresAt);
        return c;
    }

    @Test
    void anExpiringOAuthCredentialIsRefreshedBeforeTheCall() {
        int before = upstream.refreshes();
        AdminClient.Connection c = withOAuth("refresh-good", Instant.now().plusSeconds(5));
        try (McpTestClient m = client(c)) {
            m.initialize(null);
            assertThat(whoami(m)).startsWith("fresh-");
        }
        assertThat(upstream.refreshes()).isGreaterThan(before);
        JsonNode state = identityOf(c.id());
        assertThat(state.path("state").asString()).isEqualTo("ok");
        assertThat(Instant.parse(state.path("expiresAt").asString())).isAfter(Instant.now().plusSeconds(3000));
        assertThat(refresher.refreshable(catalog.connection(c.id()), serverId)).as("holds a refresh token").isTrue();
        // Forced by an administrator.
        AdminClient.Answer forced = admin.send("POST", "/connections/" + c.id() + "/identities/" + serverId + "/refresh", null);
        assertThat(forced.status()).as(forced.body().toString()).isEqualTo(200);
        assertThat(forced.body().path("state").asString()).isEqualTo("ok");
        assertThat(forced.body().toString()).doesNotContain("fresh-").doesNotContain("refresh-good");
    }

    @Test
    void theSchedulerRefreshesCredentialsAboutToExpire() {
        AdminClient.Connection c = withOAuth("refresh-good", Instant.now().plusSeconds(30));
        oauth.refreshExpiring();
        JsonNode state = identityOf(c.id());
        assertThat(state.path("state").asString()).isEqualTo("ok");
        assertThat(Instant.parse(state.path("expiresAt").asString())).isAfter(Instant.now().plusSeconds(3000));
    }

    @Test
    void aFailedRefreshIsMarkedAlertedAndExplainedToTheCaller() {
        AdminClient.Connection c = withOAuth("refresh-unknown", Instant.now().minusSeconds(10));
        try (McpTestClient m = client(c)) {
            m.initialize(null);
            Result call = m.callTool("echo__whoami", null);
            assertThat(call.response().has("error")).as(call.body()).isTrue();
            assertThat(call.error().path("message").asString()).contains("could not be refreshed").contains("PUT /api/v1/connections/" + c.id() + "/identities/" + serverId);
            assertThat(call.error().path("data").path("identity").asString()).isEqualTo("refresh-failed");
        }
        assertThat(identityOf(c.id()).path("state").asString()).isEqualTo("refresh-failed");
        assertThat(alerts.list(null, "identity-refresh-failed", null, null, 100))
                .anySatisfy(al -> assertThat(al.message()).contains("could not be refreshed").doesNotContain("refresh-unknown"));
    }
}
