package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pre-release conformance suite's {@code authorization} command (0.2.0-alpha.12) against
 * Gatehouse's authorization server in the packaged jar: RFC 8414 metadata, and the authorization
 * code grant with PKCE S256, state and resource for a dynamically registered public client, the
 * person being oauth-browser.mjs (signs in, approves), which delivers the code to the suite's
 * callback server.
 */
class AuthorizationConformanceE2ETest {
    private static final String USER = "fay";
    private static final String PASSWORD = "fay-password-1";

    private static NodePeers peers;
    private static Path dir;
    private static GatehouseJar gatehouse;
    private static String gatewayId;

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("AuthorizationConformanceE2ETest");
        gatehouse = GatehouseJar.start(dir);
        gatewayId = gatehouse.createGateway("conformance-auth");
        gatehouse.admin().person(USER, PASSWORD, "fay@example.com", gatewayId);
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    @Test
    void thePreReleaseAuthorizationScenariosPass() throws Exception {
        int port = GatehouseJar.freePort();
        String redirect = "http://127.0.0.1:" + port + "/callback";
        HttpResponse<String> reg = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gatehouse.baseUrl() + "/oauth2/register"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"client_name\":\"conformance\",\"redirect_uris\":[\"" + redirect + "\"],"
                        + "\"grant_types\":[\"authorization_code\",\"refresh_token\"],\"response_types\":[\"code\"],"
                        + "\"token_endpoint_auth_method\":\"none\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
        JsonNode client = JsonMapper.builder().build().readTree(reg.body());
        String issuer = JsonMapper.builder().build().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(gatehouse.baseUrl() + "/.well-known/oauth-authorization-server")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("issuer").asString();

        NodePeers.Background suite = peers.start("conformance-authorization", List.of(peers.node22(),
                        peers.modules().resolve("conformance-next/dist/index.js").toString(), "authorization", "--url", issuer,
                        "--client-id", client.path("client_id").asString(), "--resource", gatehouse.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId,
                        "--port", Integer.toString(port)),
                peers.dir(), Map.of(), dir);
        Path out = dir.resolve("conformance-authorization.out");
        String url = awaitAuthorizationUrl(out, suite).orElseThrow(() -> new AssertionError("the suite printed no authorization URL: " + read(out)));
        NodePeers.Run browser = peers.run("browser", List.of(peers.node(), peers.dir().resolve("oauth-browser.mjs").toString(), url),
                peers.dir(), Map.of("GATEHOUSE_LOGIN_USER", USER, "GATEHOUSE_LOGIN_PASSWORD", PASSWORD,
                        "GATEHOUSE_LOGIN_LOG", dir.resolve("browser.jsonl").toString()), dir, Duration.ofSeconds(60));
        assertThat(browser.exitCode()).as(browser + "\n" + read(dir.resolve("browser.jsonl"))).isZero();

        NodePeers.Run result = suite.await(Duration.ofSeconds(60));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        // The metadata scenario's second check is Client ID Metadata Document support.
        ConformanceSummary summary = ConformanceSummary.parse(result);
        assertThat(summary.scenarios()).containsOnly(
                Map.entry("authorization-server-metadata-endpoint", new ConformanceSummary.Counts(2, 0)),
                Map.entry("authorization-code-grant", new ConformanceSummary.Counts(1, 0)));
        assertThat(summary.passed()).isEqualTo(3);
        assertThat(summary.failed()).isZero();
    }

    private static Optional<String> awaitAuthorizationUrl(Path out, NodePeers.Background suite) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline) && suite.isAlive()) {
            Optional<String> url = read(out).lines().filter(l -> l.startsWith("http") && l.contains("/oauth2/authorize?")).findFirst();
            if (url.isPresent() && read(out).contains("Callback server started")) {
                return url;
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
