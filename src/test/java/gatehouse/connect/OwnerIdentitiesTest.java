package gatehouse.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.authserver.OAuthDriver;
import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;

/**
 * The owner's page of their own upstream credentials ({@code /connect/identities}), driven over HTTP
 * like a person at a browser: the state is shown and no secret; revoking stops the next MCP call;
 * another person cannot touch it; nobody signed in is sent to the login page.
 */
class OwnerIdentitiesTest extends GatewayTestSupport {
    private static final String REDIRECT = "http://localhost:7777/callback";
    private static final String PASSWORD = "correct horse battery";

    String gw;
    String server;
    String serverName;
    String alice;
    String bob;
    RunningFixture upstream;

    @BeforeAll
    void people() {
        gw = admin.createGateway(unique("owner-ids"));
        serverName = unique("owned-srv");
        // A real upstream (it takes any token): the wizard tries a pasted token against it before saving.
        upstream = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        server = admin.createHttpServer(serverName, "streamable-http", upstream.url().toString());
        catalog.assign(gw, server, "personal", "own");
        alice = unique("alice");
        bob = unique("bob");
        admin.person(alice, PASSWORD, "a@example.com", gw);
        admin.createUser(bob, PASSWORD, "b@example.com");
    }

    @AfterAll
    void stopUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    private String page() {
        return baseUrl() + "/connect/identities";
    }

    private String stateOf(String cid) {
        return admin.send("GET", "/connections/" + cid, null).body().path("identities").path(0).path("state").asString();
    }

    @Test
    void theOwnerSeesAndRevokesTheirCredentialAndNobodyElseCan() {
        OAuthDriver d = new OAuthDriver(baseUrl());
        String clientId = d.register(List.of(REDIRECT)).path("client_id").asString();
        String verifier = OAuthDriver.verifier();
        OAuthDriver.Outcome o = d.walk(d.authorizeUrl(clientId, REDIRECT, verifier,
                PUBLIC_URL + "/gateway/v1/mcp?gateway=" + gw, null), alice, PASSWORD, null, Map.of(server, "alice-secret-42"), true);
        assertThat(o.param("code")).as("code in %s", o.pages()).isNotNull();
        OAuthDriver.Tokens t = d.exchange(clientId, o.param("code"), verifier, REDIRECT);
        assertThat(t.status()).isEqualTo(200);
        String cid = t.claims().path("cid").asString();

        // The signed-in page links here; the owner sees the server, its state, and no secret.
        assertThat(d.get(baseUrl() + "/connect/signed-in").body()).contains("/connect/identities");
        OAuthDriver.Page mine = d.get(page());
        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.body()).contains(serverName).contains("id=\"state-" + cid + "-" + server + "\">ok<")
                .doesNotContain("alice-secret-42");
        assertThat(mine.hasForm("revoke-" + cid + "-" + server)).isTrue();
        assertThat(mine.hasForm("refresh-" + cid + "-" + server)).as("a static token has nothing to refresh").isFalse();

        // Another person: the identity is not listed, and acting on it answers like one that does not exist.
        OAuthDriver other = new OAuthDriver(baseUrl());
        assertThat(other.login(bob, PASSWORD).status()).isEqualTo(200);
        OAuthDriver.Page theirs = other.get(page());
        assertThat(theirs.status()).isEqualTo(200);
        assertThat(theirs.body()).doesNotContain(serverName).doesNotContain(cid);
        Map<String, List<String>> csrf = OAuthDriver.fields(theirs.body(), "logout");
        assertThat(csrf).containsKey("_csrf");
        OAuthDriver.Page forged = other.post(baseUrl() + "/connect/identities/" + cid + "/" + server + "/revoke", csrf);
        OAuthDriver.Page nonexistent = other.post(baseUrl() + "/connect/identities/conn-nope/" + server + "/revoke", csrf);
        assertThat(forged.status()).isEqualTo(404);
        assertThat(nonexistent.status()).isEqualTo(404);
        assertThat(withoutInstance(forged.body())).isEqualTo(withoutInstance(nonexistent.body()));
        assertThat(other.post(baseUrl() + "/connect/identities/" + cid + "/" + server + "/refresh", csrf).status()).isEqualTo(404);
        assertThat(stateOf(cid)).isEqualTo("ok");

        // The owner revokes: the page says so, the state is revoked, and the next MCP call is told where to add a new one.
        OAuthDriver.Page done = d.submit(page(), mine.body(), "revoke-" + cid + "-" + server);
        assertThat(done.status()).isEqualTo(302);
        OAuthDriver.Page after = d.get(resolve(done.location()));
        assertThat(after.body()).contains("Revoked your credential").contains("id=\"state-" + cid + "-" + server + "\">revoked<");
        assertThat(after.hasForm("revoke-" + cid + "-" + server)).isFalse();
        assertThat(stateOf(cid)).isEqualTo("revoked");
        try (McpTestClient c = new McpTestClient(mcpUrl(gw), t.access())) {
            assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            Result call = c.callTool("own__anything", null);
            assertThat(call.response().has("error")).as(call.body()).isTrue();
            assertThat(call.error().path("message").asString()).contains("was revoked").contains("/connect/servers/" + server);
        }
    }

    private static String withoutInstance(String problem) {
        return problem.replaceAll("\"instance\":\"[^\"]*\"", "");
    }

    private String resolve(String location) {
        return java.net.URI.create(page()).resolve(location).toString();
    }

    @Test
    void nobodySignedInIsSentToTheLoginPage() {
        OAuthDriver.Page p = new OAuthDriver(baseUrl()).get(page());
        assertThat(p.status()).isEqualTo(302);
        assertThat(p.location()).endsWith("/login");
    }
}
