package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.testing.AdminClient;

/**
 * The MCP conformance suite (@modelcontextprotocol/conformance, server scenarios) run through the
 * packaged jar, with the conformance fixture as the gateway's only upstream under an empty prefix so
 * names are what the scenarios expect. The suite has no option for a bearer token: the preload
 * src/test/conformance/auth-preload.mjs adds it to every fetch, and undici-auth-preload.mjs to the
 * requests dns-rebinding-protection sends through undici, so that scenario checks the gateway's own
 * Host/Origin defence. Every scenario must pass; the same suite against the fixture alone
 * (run-direct.sh) shows that what fails through the gateway is the gateway's fault.
 */
class ConformanceE2ETest {
    private static final String DNS_REBINDING = "dns-rebinding-protection";

    private static NodePeers peers;
    private static Path dir;
    private static RunningFixture fixture;
    private static GatehouseJar gatehouse;
    private static AdminClient.Connection connection;

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("ConformanceE2ETest");
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        gatehouse = GatehouseJar.start(dir);
        String server = gatehouse.createHttpServer("conformance-fixture", fixture.url().toString());
        String gateway = gatehouse.createGateway("conformance");
        gatehouse.assign(gateway, server, "");
        connection = gatehouse.connect(gateway, "e2e-conformance");
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void everyActiveScenarioPassesThroughTheGateway() throws Exception {
        Path expected = Files.writeString(dir.resolve("expected-failures.yml"), "server: []\n");
        Path preload = repoRoot().resolve("src/test/conformance/auth-preload.mjs");
        Path undiciPreload = repoRoot().resolve("src/test/conformance/undici-auth-preload.mjs");
        NodePeers.Run run = peers.run("conformance-through-gateway", List.of(peers.node22(), "--import", preload.toUri().toString(),
                "--import", undiciPreload.toUri().toString(),
                conformanceCli(), "server", "--url", connection.url(), "--expected-failures", expected.toString(),
                "-o", dir.resolve("results-gateway").toString()),
                dir, Map.of("GATEHOUSE_TOKEN", connection.token()), dir, Duration.ofMinutes(3));

        ConformanceSummary summary = ConformanceSummary.parse(run);
        System.out.printf("[e2e] conformance through the gateway: %d scenarios, %d checks passed, %d failed, %d ms%n",
                summary.scenarios().size(), summary.passed(), summary.failed(), run.took().toMillis());
        // The baseline check: with no expected failures listed, exit 0 means nothing failed.
        assertThat(run.exitCode()).as("suite exit code (baseline check)\n%s", run.stdout()).isZero();
        assertThat(summary.scenarios()).as("active server scenarios").hasSizeGreaterThanOrEqualTo(25)
                .containsKeys("server-initialize", "tools-call-simple-text", "tools-call-sampling", "tools-call-elicitation",
                        "tools-call-with-progress", "resources-templates-read", "resources-subscribe", "prompts-get-with-args",
                        "completion-complete", "server-sse-multiple-streams", DNS_REBINDING);
        summary.scenarios().forEach((name, counts) -> {
            assertThat(counts.failed()).as("failed checks of %s\n%s", name, run.stdout()).isZero();
            assertThat(counts.passed()).as("passed checks of %s", name).isPositive();
        });
        assertThat(summary.failed()).as("failed checks overall").isZero();
    }

    /** The Origin defence in detail: refused before the token is looked at, a local page and no Origin accepted. */
    @Test
    void aBrowserPageFromAnotherOriginIsRefused() throws Exception {
        HttpResponse<String> evil = initialize("http://evil.example", connection.token());
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.body()).contains("Origin");
        assertThat(evil.headers().firstValue("Mcp-Session-Id")).isEmpty();

        HttpResponse<String> evilWithoutToken = initialize("http://evil.example", null);
        assertThat(evilWithoutToken.statusCode()).as("Origin is checked before the token").isEqualTo(403);

        HttpResponse<String> local = initialize("http://127.0.0.1:" + gatehouse.port(), connection.token());
        assertThat(local.statusCode()).isEqualTo(200);
        assertThat(local.headers().firstValue("Mcp-Session-Id")).isPresent();

        HttpResponse<String> noOrigin = initialize(null, connection.token());
        assertThat(noOrigin.statusCode()).as("non-browser clients send no Origin").isEqualTo(200);
    }

    /** src/test/conformance/run-direct.sh: the same suite against the fixture alone passes completely. */
    @Test
    void theFixtureAlonePassesEveryScenario() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path classPathFile = Files.writeString(dir.resolve("test-classpath.txt"), classPath.replace(File.pathSeparatorChar, ':'));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SKIP_BUILD", "1");
        env.put("TEST_CLASSPATH_FILE", classPathFile.toString());
        env.put("RESULTS_DIR", dir.resolve("results-direct").toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        NodePeers.Run run = peers.run("conformance-direct", List.of("bash", repoRoot().resolve("src/test/conformance/run-direct.sh").toString(),
                peers.modules().toString()), repoRoot(), env, dir, Duration.ofMinutes(3));

        ConformanceSummary summary = ConformanceSummary.parse(run);
        System.out.printf("[e2e] conformance directly against the fixture: %d scenarios, %d checks passed, %d failed, %d ms%n",
                summary.scenarios().size(), summary.passed(), summary.failed(), run.took().toMillis());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(summary.failed()).isZero();
        assertThat(summary.scenarios()).containsKey(DNS_REBINDING).hasSizeGreaterThanOrEqualTo(25);
    }

    private static HttpResponse<String> initialize(String origin, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(connection.url()))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                         "capabilities":{},"clientInfo":{"name":"e2e-origin-check","version":"1"}}}"""));
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }


    private static String conformanceCli() {
        return peers.modules().resolve("@modelcontextprotocol/conformance/dist/index.js").toString();
    }

    /** The checkout: target/.. */
    private static Path repoRoot() {
        return GatehouseJar.targetDir().getParent();
    }
}
