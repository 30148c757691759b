package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;

/**
 * The MCP conformance suite 0.1.16 (server scenarios, protocol 2025-11-25) through the packaged jar
 * in front of the conformance repository's own reference server (see {@link OfficialConformanceFixture}),
 * an SDK v1 server that also speaks the stateless generation. Every scenario must pass, with the
 * same checks as against the fixture alone. The suite has no option for a bearer token: two preloads add
 * it to fetch and to undici's request (which dns-rebinding-protection uses), so that scenario too
 * checks the gateway.
 */
class OfficialFixtureConformanceE2ETest {
    /** The active server scenarios of conformance 0.1.16 (src/test/node/package.json pins it). */
    private static final int ACTIVE_SCENARIOS = 30;

    private static NodePeers peers;
    private static Path dir;
    private static OfficialConformanceFixture fixture;
    private static GatehouseJar gatehouse;
    private static AdminClient.Connection connection;

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("OfficialFixtureConformanceE2ETest");
        fixture = OfficialConformanceFixture.start(peers, dir);
        gatehouse = GatehouseJar.start(dir);
        String server = gatehouse.createHttpServer("official-fixture", fixture.url());
        String gateway = gatehouse.createGateway("official-fixture");
        gatehouse.assign(gateway, server, "");
        connection = gatehouse.connect(gateway, "e2e-official-fixture");
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
    void everyScenarioPassesThroughTheGatewayAsItDoesDirectly() {
        NodePeers.Run through = suite("conformance-through-gateway", connection.url(), connection.token());
        Summary viaGateway = parse(through);
        System.out.printf("[e2e] conformance 0.1.16 through the gateway to the official fixture: %d scenarios, %d checks passed, %d failed, %d ms%n",
                viaGateway.scenarios().size(), viaGateway.passed(), viaGateway.failed(), through.took().toMillis());
        assertThat(through.exitCode()).as("suite exit code\n%s", through.stdout()).isZero();
        assertThat(viaGateway.failed()).as("failed checks\n%s", through.stdout()).isZero();
        assertThat(viaGateway.scenarios()).hasSize(ACTIVE_SCENARIOS)
                .containsKeys("tools-call-sampling", "tools-call-elicitation", "elicitation-sep1034-defaults", "elicitation-sep1330-enums",
                        "dns-rebinding-protection", "resources-subscribe", "server-sse-multiple-streams", "tools-call-with-progress");
        assertThat(viaGateway.scenarios().get("elicitation-sep1034-defaults")).as("checks of elicitation-sep1034-defaults").containsExactly(5, 0);
        assertThat(viaGateway.scenarios().get("elicitation-sep1330-enums")).as("checks of elicitation-sep1330-enums").containsExactly(5, 0);
        assertThat(viaGateway.scenarios().get("dns-rebinding-protection")).as("checks of dns-rebinding-protection").containsExactly(2, 0);

        NodePeers.Run direct = suite("conformance-direct", fixture.url(), "unused-by-the-fixture");
        Summary alone = parse(direct);
        assertThat(direct.exitCode()).as("the fixture alone\n%s", direct.stdout()).isZero();
        assertThat(alone.failed()).isZero();
        assertThat(viaGateway.scenarios().keySet()).as("the same scenarios as against the fixture alone")
                .containsExactlyElementsOf(alone.scenarios().keySet());
        // The one difference: Gatehouse answers a plain request with JSON where the fixture opens
        // an event stream, so server-sse-multiple-streams has no stream to check (SSE is optional
        // for such answers) and reports that check as information instead of a pass.
        assertThat(alone.scenarios().get("server-sse-multiple-streams")).containsExactly(2, 0);
        assertThat(viaGateway.scenarios().get("server-sse-multiple-streams")).containsExactly(1, 0);
        viaGateway.scenarios().forEach((name, counts) -> {
            if (!name.equals("server-sse-multiple-streams")) {
                assertThat(counts).as("checks of %s through the gateway and directly", name).isEqualTo(alone.scenarios().get(name));
            }
        });
    }

    private static NodePeers.Run suite(String name, String url, String token) {
        Path conformance = GatehouseJar.targetDir().getParent().resolve("src/test/conformance");
        List<String> command = new ArrayList<>(List.of(peers.node22(),
                "--import", conformance.resolve("auth-preload.mjs").toUri().toString(),
                "--import", conformance.resolve("undici-auth-preload.mjs").toUri().toString(),
                peers.modules().resolve("@modelcontextprotocol/conformance/dist/index.js").toString(),
                "server", "--url", url, "-o", dir.resolve("results-" + name).toString()));
        return peers.run(name, command, dir, Map.of("GATEHOUSE_TOKEN", token), dir, Duration.ofMinutes(4));
    }

    /** The summary as scenario → [passed, failed]. */
    private static Summary parse(NodePeers.Run run) {
        ConformanceSummary summary = ConformanceSummary.parse(run);
        Map<String, List<Integer>> scenarios = new LinkedHashMap<>();
        summary.scenarios().forEach((name, counts) -> scenarios.put(name, List.of(counts.passed(), counts.failed())));
        return new Summary(scenarios, summary.passed(), summary.failed());
    }

    private record Summary(Map<String, List<Integer>> scenarios, int passed, int failed) {
    }
}
