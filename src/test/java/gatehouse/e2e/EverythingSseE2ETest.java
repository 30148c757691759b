package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;
import tools.jackson.databind.JsonNode;

/**
 * The legacy HTTP+SSE upstream transport (protocol 2024-11-05) against an independent server:
 * server-everything in its {@code sse} mode ({@code GET /sse}, {@code POST /message}), behind the
 * packaged jar and driven by the TypeScript SDK client over Streamable HTTP. What the upstream
 * contract tests check against the in-process fixture, checked here against a server Gatehouse
 * was not written with: lists, calls and errors, sampling, elicitation and roots asked mid-call,
 * progress, resources and prompts.
 */
class EverythingSseE2ETest {
    private static final String PREFIX = "ev";

    private static NodePeers peers;
    private static Path dir;
    private static EverythingHttpServer upstream;
    private static GatehouseJar gatehouse;
    private static AdminClient.Connection connection;

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("EverythingSseE2ETest");
        upstream = new EverythingHttpServer(peers, GatehouseJar.freePort(), dir, "sse");
        upstream.start();
        gatehouse = GatehouseJar.start(dir);
        String server = gatehouse.expect(201, "POST", "/servers", Map.of("name", "everything-sse", "transport", "sse",
                "url", upstream.url())).path("id").asString();
        String gateway = gatehouse.createGateway("everything-sse");
        gatehouse.assign(gateway, server, PREFIX);
        connection = gatehouse.connect(gateway, "e2e-everything-sse");
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void listsCallsAndErrorsTravelOverTheSseUpstream() {
        JsonNode report = sdk("calls", List.of(
                Map.of("op", "listTools"),
                call("echo", Map.of("message", "over sse")),
                call("get-sum", Map.of("a", 20, "b", 22)),
                Map.of("op", "callTool", "name", PREFIX + "__nope", "args", Map.of(), "expectError", true)));

        List<String> names = E2eJson.list(result(report, 0).path("tools")).stream().map(t -> t.path("name").asString()).toList();
        assertThat(names).allMatch(n -> n.startsWith(PREFIX + "__"))
                .contains(PREFIX + "__echo", PREFIX + "__get-sum", PREFIX + "__trigger-sampling-request",
                        PREFIX + "__trigger-elicitation-request", PREFIX + "__get-roots-list", PREFIX + "__trigger-long-running-operation");
        assertThat(text(report, 1)).isEqualTo("Echo: over sse");
        assertThat(text(report, 2)).isEqualTo("The sum of 20 and 22 is 42.");
        assertThat(report.path("steps").get(3).path("error").path("message").asString()).contains("Unknown tool: " + PREFIX + "__nope");
    }

    @Test
    void samplingElicitationAndRootsAskedMidCallReachTheClient() {
        JsonNode report = sdk("server-requests", List.of(
                call("trigger-sampling-request", Map.of("prompt", "sse asks", "maxTokens", 20)),
                call("trigger-elicitation-request", Map.of()),
                call("get-roots-list", Map.of())),
                "--sample-text", "sampled-over-sse", "--elicit-content", "{\"name\":\"elicited-over-sse\"}",
                "--root", "file:///tmp/sse-root");

        assertThat(text(report, 0)).contains("LLM sampling result", "sampled-over-sse");
        assertThat(allText(report, 1)).contains("elicited-over-sse");
        assertThat(allText(report, 2)).contains("file:///tmp/sse-root");
        List<String> asked = E2eJson.list(report.path("serverRequests")).stream().map(r -> r.path("method").asString()).toList();
        // server-everything also asks for the roots on its own once the session is initialized.
        assertThat(asked).contains("roots/list");
        assertThat(asked).filteredOn(m -> !m.equals("roots/list")).containsExactly("sampling/createMessage", "elicitation/create");
        assertThat(E2eJson.list(report.path("serverRequests"))).filteredOn(r -> r.path("method").asString().equals("sampling/createMessage"))
                .singleElement().satisfies(r -> assertThat(r.path("params").toString()).contains("sse asks"));
    }

    @Test
    void progressReachesTheClient() {
        JsonNode report = sdk("progress", List.of(call("trigger-long-running-operation", Map.of("duration", 1, "steps", 3))));

        assertThat(text(report, 0)).contains("Long running operation completed");
        List<JsonNode> progress = E2eJson.list(report.path("steps").get(0).path("progress"));
        assertThat(progress).extracting(p -> p.path("progress").asDouble()).containsExactly(1.0, 2.0, 3.0);
        assertThat(progress.getLast().path("total").asDouble()).isEqualTo(3.0);
    }

    @Test
    void resourcesAndPromptsAreListedAndRead() {
        JsonNode report = sdk("resources-prompts", List.of(
                Map.of("op", "listResources"),
                Map.of("op", "readResource", "uri", "demo://resource/dynamic/text/7"),
                Map.of("op", "listPrompts"),
                Map.of("op", "getPrompt", "name", PREFIX + "__args-prompt", "args", Map.of("city", "Lisbon"))));

        assertThat(E2eJson.list(result(report, 0).path("resources"))).extracting(r -> r.path("uri").asString())
                .contains("demo://resource/static/document/architecture.md");
        assertThat(result(report, 1).path("contents").get(0).path("text").asString()).contains("7");
        assertThat(E2eJson.list(result(report, 2).path("prompts"))).extracting(p -> p.path("name").asString())
                .contains(PREFIX + "__simple-prompt", PREFIX + "__args-prompt");
        assertThat(result(report, 3).path("messages").toString()).contains("Lisbon");
    }

    // --- helpers

    private static JsonNode sdk(String name, List<Map<String, Object>> steps, String... options) {
        NodePeers.Run run = peers.sdkClient(name, connection.url(), connection.token(), E2eJson.write(steps), dir, options);
        JsonNode report = run.report();
        assertThat(run.exitCode()).as("sdk-client %s: every step as expected:\n%s\nstderr:\n%s", name, report.toPrettyString(),
                run.stderr()).isZero();
        return report;
    }

    private static Map<String, Object> call(String tool, Map<String, Object> args) {
        return Map.of("op", "callTool", "name", PREFIX + "__" + tool, "args", args);
    }

    private static JsonNode result(JsonNode report, int i) {
        JsonNode step = report.path("steps").get(i);
        assertThat(step.path("ok").asBoolean()).as("step %d: %s", i, step).isTrue();
        return step.path("result");
    }

    private static String text(JsonNode report, int i) {
        return result(report, i).path("content").get(0).path("text").asString();
    }

    private static String allText(JsonNode report, int i) {
        return E2eJson.list(result(report, i).path("content")).stream().map(c -> c.path("text").asString(""))
                .collect(Collectors.joining("\n"));
    }
}
