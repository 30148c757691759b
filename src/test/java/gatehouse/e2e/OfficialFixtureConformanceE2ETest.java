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
    private static EverythingHttpServer everything;
    private static GatehouseJar gatehouse;
    private static AdminClient.Connection connection;
    private static AdminClient.Connection viaEverything;

    /**
     * 2026-07-28 scenarios that need a tool, prompt or resource only a conformance fixture has (or
     * say "not testable" without it): server-everything, a 2025 server written without the suite in
     * mind, cannot pass them through any gateway. Everything else must pass.
     */
    private static final List<String> EVERYTHING_LACKS = List.of("server-stateless", "completion-complete", "tools-call-simple-text",
            "tools-call-image", "tools-call-audio", "tools-call-embedded-resource", "tools-call-mixed-content", "tools-call-error",
            "tools-call-with-progress", "json-schema-2020-12", "resources-read-text", "resources-read-binary",
            "resources-templates-read", "prompts-get-simple", "prompts-get-with-args", "prompts-get-embedded-resource",
            "prompts-get-with-image", "http-custom-header-server-validation", "input-required-result-basic-elicitation",
            "input-required-result-basic-sampling", "input-required-result-basic-list-roots", "input-required-result-request-state",
            "input-required-result-multiple-input-requests", "input-required-result-multi-round",
            "input-required-result-non-tool-request", "input-required-result-result-type", "input-required-result-tampered-state",
            "input-required-result-capability-check", "input-required-result-missing-input-response",
            "input-required-result-ignore-extra-params");

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("OfficialFixtureConformanceE2ETest");
        fixture = OfficialConformanceFixture.start(peers, dir);
        everything = new EverythingHttpServer(peers, GatehouseJar.freePort(), dir);
        everything.start();
        gatehouse = GatehouseJar.start(dir);
        connection = gateway("official-fixture", fixture.url());
        viaEverything = gateway("everything", everything.url());
    }

    private static AdminClient.Connection gateway(String name, String upstreamUrl) {
        String server = gatehouse.createHttpServer(name, upstreamUrl);
        String gateway = gatehouse.createGateway(name);
        gatehouse.assign(gateway, server, "");
        return gatehouse.connect(gateway, "e2e-" + name);
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (everything != null) {
            everything.close();
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

    /**
     * The 2026-07-28 suite (pre-release 0.2.0-alpha, {@code --suite all}) from a stateless client
     * through the gateway to the fixture, which speaks that revision too. Its answers are not all
     * event streams: a tool's notifications and result can come as JSON values one after another in
     * one body, and its subscriptions/listen stream as one JSON message per line; both reach the
     * client. The fixture has no tool with {@code x-mcp-header} parameters, so
     * http-custom-header-server-validation is "not testable" against it, directly too.
     */
    @Test
    void theStatelessSuitePassesThroughTheGatewayToTheFixture() throws Exception {
        NodePeers.Run run = nextSuite("conformance-next-fixture", connection, List.of("http-custom-header-server-validation"));
        ConformanceSummary summary = ConformanceSummary.parse(run);
        System.out.printf("[e2e] conformance 2026-07-28 through the gateway to the official fixture: %d scenarios, %d checks passed, %d failed%n",
                summary.scenarios().size(), summary.passed(), summary.failed());
        // Not the CLI's exit code: its baseline also counts warnings, and the two list_changed
        // checks of server-stateless (SHOULDs) still warn through the gateway (see below).
        summary.scenarios().forEach((name, counts) -> {
            if (!name.equals("http-custom-header-server-validation")) {
                assertThat(counts.failed()).as("failed checks of %s\n%s", name, run.stdout()).isZero();
            }
        });
        assertThat(summary.scenario("http-custom-header-server-validation")).isEqualTo(new ConformanceSummary.Counts(1, 5));
        assertThat(summary.scenario("dns-rebinding-protection")).isEqualTo(new ConformanceSummary.Counts(2, 0));
        Map<String, String> checks = checks(dir.resolve("results-conformance-next-fixture"), "server-stateless");
        assertThat(checks).containsEntry("sep-2575-http-server-no-independent-requests-on-stream", "SUCCESS");
        // Known gap, not asserted: sep-2575-server-sends-{tools,prompts}-list-changed-on-subscription
        // warn through the gateway (the fixture tells only listen streams open at the moment of a
        // change; whether Gatehouse's upstream listen stream is open by then is not established).
    }

    /**
     * The same suite through the gateway to server-everything, a 2025 server: the gateway answers
     * in the stateless revision for it; what fails is only what needs the fixture's own tools.
     */
    @Test
    void theStatelessSuitePassesThroughTheGatewayToA2025ServerWhereItDoesNotNeedFixtureTools() throws Exception {
        NodePeers.Run run = nextSuite("conformance-next-everything", viaEverything, EVERYTHING_LACKS);
        ConformanceSummary summary = ConformanceSummary.parse(run);
        System.out.printf("[e2e] conformance 2026-07-28 through the gateway to server-everything: %d scenarios, %d checks passed, %d failed%n",
                summary.scenarios().size(), summary.passed(), summary.failed());
        assertThat(run.exitCode()).as("suite exit code (baseline check)\n%s", run.stdout()).isZero();
        for (String scenario : List.of("tools-list", "resources-list", "prompts-list", "caching", "http-header-validation",
                "sep-2164-resource-not-found", "server-sse-multiple-streams", "dns-rebinding-protection",
                "input-required-result-unsupported-methods", "input-required-result-validate-input")) {
            assertThat(summary.scenario(scenario).failed()).as("failed checks of %s\n%s", scenario, run.stdout()).isZero();
            assertThat(summary.scenario(scenario).passed()).as("passed checks of %s", scenario).isPositive();
        }
    }

    private static NodePeers.Run nextSuite(String name, AdminClient.Connection via, List<String> expectedFailures) throws Exception {
        StringBuilder yml = new StringBuilder("server:\n");
        expectedFailures.forEach(f -> yml.append("  - ").append(f).append('\n'));
        Path expected = java.nio.file.Files.writeString(dir.resolve(name + "-expected.yml"), yml);
        Path conformance = GatehouseJar.targetDir().getParent().resolve("src/test/conformance");
        return peers.run(name, List.of(peers.node22(),
                "--import", conformance.resolve("auth-preload.mjs").toUri().toString(),
                "--import", conformance.resolve("undici-auth-preload.mjs").toUri().toString(),
                peers.modules().resolve("conformance-next/dist/index.js").toString(), "server", "--url", via.url(),
                "--spec-version", "2026-07-28", "--suite", "all", "--expected-failures", expected.toString(),
                "-o", dir.resolve("results-" + name).toString()), dir, Map.of("GATEHOUSE_TOKEN", via.token()), dir, Duration.ofMinutes(6));
    }

    /** Check id → status of one scenario's checks.json under {@code results}. */
    private static Map<String, String> checks(Path results, String scenario) throws Exception {
        Map<String, String> statuses = new LinkedHashMap<>();
        try (var dirs = java.nio.file.Files.list(results)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith("server-" + scenario + "-")).toList()) {
                for (tools.jackson.databind.JsonNode c : E2eJson.parse(java.nio.file.Files.readString(d.resolve("checks.json")))) {
                    statuses.put(c.path("id").asString(), c.path("status").asString());
                }
            }
        }
        return statuses;
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
