package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import tools.jackson.databind.JsonNode;

/**
 * Upstream credentials through the packaged jar against real upstreams whose authorization server
 * registers no clients ({@code oauth-upstream.mjs}: the TypeScript SDK's authorization-server
 * handlers with no registration endpoint). One upstream knows Gatehouse only as a pre-registered
 * client (id and secret configured with the server), another accepts Client ID Metadata Documents
 * and fetches Gatehouse's. A person connects through the wizard to both and calls each on their own
 * upstream token; then the provider revokes their tokens and the next call marks the identity
 * {@code rejected}, raises an alert and tells them where to renew it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamCredentialsE2ETest {
    private static final String USER = "rosa";
    private static final String PASSWORD = "rosa-password-1";
    private static final String CLIENT_ID = "gatehouse-at-upstream";
    private static final String CLIENT_SECRET = "upstream-issued-secret-0123456789";

    private static NodePeers peers;
    private static Path dir;
    private static GatehouseJar gatehouse;
    private static final List<NodePeers.Background> upstreams = new ArrayList<>();
    private static int preMcp, preAuth, cimdMcp, cimdAuth;
    private static String gatewayId, preServer, cimdServer;
    private static String accessToken, connectionId;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("UpstreamCredentialsE2ETest");
        gatehouse = GatehouseJar.start(dir, "--gatehouse.upstream-oauth.loopback-allowed=true");
        String publicUrl = gatehouse.baseUrl();
        preMcp = GatehouseJar.freePort();
        preAuth = GatehouseJar.freePort();
        cimdMcp = GatehouseJar.freePort();
        cimdAuth = GatehouseJar.freePort();
        upstream("pre-registered", preMcp, preAuth, Map.of("CLIENT_ID", CLIENT_ID, "CLIENT_SECRET", CLIENT_SECRET,
                "REDIRECT_URI", publicUrl + "/connect/upstream/callback", "REFRESH", "1"));
        upstream("cimd", cimdMcp, cimdAuth, Map.of("CIMD", "1"));
        gatewayId = gatehouse.createGateway("creds");
        Map<String, Object> pre = new LinkedHashMap<>();
        pre.put("name", "registered");
        pre.put("url", "http://127.0.0.1:" + preMcp + "/mcp");
        pre.put("oauth", Map.of("clientId", CLIENT_ID, "clientSecret", CLIENT_SECRET, "scopes", List.of("mcp:tools")));
        preServer = gatehouse.expect(201, "POST", "/servers", pre).path("id").asString();
        cimdServer = gatehouse.createHttpServer("metadata", "http://127.0.0.1:" + cimdMcp + "/mcp");
        gatehouse.expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + preServer, Map.of("identity", "personal", "prefix", "reg"));
        gatehouse.expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + cimdServer, Map.of("identity", "personal", "prefix", "cimd"));
        gatehouse.admin().person(USER, PASSWORD, "rosa@example.com", gatewayId);
    }

    private static void upstream(String name, int mcp, int auth, Map<String, String> env) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("MCP_PORT", Integer.toString(mcp));
        all.put("AUTH_PORT", Integer.toString(auth));
        NodePeers.Background b = peers.start(name, List.of(peers.node(), peers.dir().resolve("oauth-upstream.mjs").toString()),
                peers.dir(), all, dir);
        upstreams.add(b);
        String url = "http://127.0.0.1:" + mcp + "/.well-known/oauth-protected-resource/mcp";
        try {
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> b.isAlive()
                    && http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("upstream " + name + " did not come up: " + Files.readString(dir.resolve(name + ".err")), e);
        }
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        upstreams.forEach(NodePeers.Background::kill);
    }

    private static JsonNode stats(int authPort) throws Exception {
        return E2eJson.parse(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authPort + "/test/stats")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    @Order(1)
    void theAdminApiKeepsTheClientSecretSealedAndNeverAnswersIt() {
        JsonNode server = gatehouse.expect(200, "GET", "/servers/" + preServer, null);
        assertThat(server.path("oauth").path("clientId").asString()).isEqualTo(CLIENT_ID);
        assertThat(server.path("oauth").path("clientSecret").asString()).isEqualTo("<redacted>");
        assertThat(server.path("oauth").path("scopes").toString()).contains("mcp:tools");
        assertThat(gatehouse.admin().send("GET", "/servers", null).text()).doesNotContain(CLIENT_SECRET);
        // Bad shapes are answered with the field and what is expected.
        JsonNode bad = gatehouse.expect(400, "POST", "/servers", Map.of("name", "bad", "url", "http://127.0.0.1:1/mcp",
                "oauth", Map.of("clientSecret", "x")));
        assertThat(bad.toString()).contains("oauth.clientId");
        JsonNode half = gatehouse.expect(400, "POST", "/servers", Map.of("name", "bad2", "url", "http://127.0.0.1:1/mcp",
                "oauth", Map.of("clientId", "x", "authorizationEndpoint", "https://as.example/authorize")));
        assertThat(half.toString()).contains("oauth.tokenEndpoint");
    }

    @Test
    @Order(2)
    void aPersonCompletesTheWizardWithAPreRegisteredClientAndAClientIdMetadataDocument() throws Exception {
        String url = gatehouse.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId;
        NodePeers.Run run = peers.run("oauth-client", List.of(peers.node(), peers.dir().resolve("oauth-client.mjs").toString(),
                        "--url", url, "--username", USER, "--password", PASSWORD, "--reveal-token",
                        "[{\"op\":\"listTools\"},{\"op\":\"callTool\",\"name\":\"reg__whoami\",\"args\":{\"note\":\"one\"}},"
                                + "{\"op\":\"callTool\",\"name\":\"cimd__whoami\",\"args\":{\"note\":\"two\"}}]"),
                peers.dir(), Map.of(), dir, Duration.ofSeconds(180));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = run.report();
        String pages = report.path("authorization").path("pages").toString();
        assertThat(pages).as("both upstreams' authorization pages were visited").contains(":" + preAuth + "/authorize")
                .contains(":" + cimdAuth + "/authorize");
        assertThat(report.path("steps").get(1).path("result").toString()).contains("client " + CLIENT_ID + " says one");
        String cimdUrl = gatehouse.baseUrl() + "/oauth/upstream-client.json";
        assertThat(report.path("steps").get(2).path("result").toString()).contains("client " + cimdUrl + " says two");

        JsonNode pre = stats(preAuth);
        assertThat(pre.path("authorizeClientIds").toString()).isEqualTo("[\"" + CLIENT_ID + "\"]");
        assertThat(pre.path("tokenGrants").toString()).contains("authorization_code");
        JsonNode cimd = stats(cimdAuth);
        assertThat(cimd.path("metadataDocumentsFetched").toString()).contains(cimdUrl);
        assertThat(cimd.path("authorizeClientIds").toString()).isEqualTo("[\"" + cimdUrl + "\"]");

        accessToken = report.path("accessToken").asString();
        connectionId = report.path("tokenClaims").path("cid").asString();
        assertThat(accessToken).isNotBlank();
        JsonNode identities = gatehouse.expect(200, "GET", "/connections/" + connectionId, null).path("identities");
        assertThat(identities.toString()).contains("\"state\":\"ok\"").doesNotContain("rejected");
    }
}
