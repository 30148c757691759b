package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.testing.AdminClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Both protocol generations on one gateway URL, with independent peers on both sides: the npm SDK
 * v1 client (2025-11-25, a session) and the v2 client pinned to 2026-07-28 (stateless), at the same
 * time, against one gateway that holds a 2025 upstream (the Java conformance fixture, prefix
 * {@code j}) and a 2026 upstream (sdk2-server.mjs on @modelcontextprotocol/server 2.4, prefix
 * {@code v2}). Every client-upstream pairing is a bridge: sampling and elicitation asked by either
 * upstream reach either client in the client's own generation.
 */
class ProtocolGenerationsE2ETest {
    private static NodePeers peers;
    private static Path dir;
    private static RunningFixture java2025;
    private static NodePeers.Background v2Server;
    private static GatehouseJar gatehouse;
    private static String gatewayId;
    private static AdminClient.Connection connection;

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("ProtocolGenerationsE2ETest");
        java2025 = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        v2Server = peers.start("sdk2-server", List.of(peers.node(), peers.dir().resolve("sdk2-server.mjs").toString(), "--port", "0"),
                peers.dir(), Map.of(), dir);
        gatehouse = GatehouseJar.start(dir);
        String v2Url = NodeServers.awaitUrl(dir.resolve("sdk2-server.out"), v2Server);
        String j = gatehouse.createHttpServer("fixture-2025", java2025.url().toString());
        String v2 = gatehouse.createHttpServer("sdk2-server-2026", v2Url);
        gatewayId = gatehouse.createGateway("both-generations");
        gatehouse.assign(gatewayId, j, "j");
        gatehouse.assign(gatewayId, v2, "v2");
        connection = gatehouse.connect(gatewayId, "e2e-generations");
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
        if (v2Server != null) {
            v2Server.kill();
        }
        if (java2025 != null) {
            java2025.close();
        }
    }

    /**
     * One client of each generation on one gateway at once, each reaching an upstream of each
     * generation; then every call of both is in the logs with its outcome. The test has its own
     * connection, so it reads only its own records, whatever ran before it.
     */
    @Test
    void clientsOfBothGenerationsUseOneGatewayAtTheSameTime() {
        AdminClient.Connection connection = gatehouse.connect(gatewayId, "e2e-generations-clients");
        String v1Steps = """
                [{"op":"listTools"},
                 {"op":"callTool","name":"v2__sample","args":{"prompt":"Capital of France?"},"label":"2026 upstream asks a 2025 client"},
                 {"op":"callTool","name":"v2__elicit","args":{"message":"Who are you?"}},
                 {"op":"callTool","name":"j__test_sampling","args":{"prompt":"Capital of Italy?"}},
                 {"op":"callTool","name":"v2__progress","args":{"steps":3,"ms":20}},
                 {"op":"callTool","name":"v2__headers"}]""";
        String v2Steps = """
                [{"op":"discover"},
                 {"op":"listTools"},
                 {"op":"callTool","name":"j__test_input_required_result_elicitation","label":"2025 upstream asks a stateless client"},
                 {"op":"callTool","name":"j__test_sampling","args":{"prompt":"Capital of Spain?"}},
                 {"op":"callTool","name":"v2__sample","args":{"prompt":"Capital of Peru?"}},
                 {"op":"callTool","name":"j__test_tool_with_progress"},
                 {"op":"callTool","name":"v2__progress","args":{"steps":3,"ms":20}},
                 {"op":"readResource","uri":"test://static-text"}]""";
        NodePeers.Background v1 = peers.startSdkClient("sdk-v1-client", connection.url(), connection.token(), v1Steps, dir);
        NodePeers.Background v2 = peers.start("sdk-v2-client", List.of(peers.node(), peers.dir().resolve("sdk2-client.mjs").toString(),
                "--url", connection.url(), "--token", connection.token(), "--mode", "pin", "--pin", "2026-07-28", v2Steps),
                peers.dir(), Map.of(), dir);
        NodePeers.Run v1Run = v1.await(Duration.ofSeconds(120));
        NodePeers.Run v2Run = v2.await(Duration.ofSeconds(120));

        JsonNode old = v1Run.report();
        assertThat(v1Run.exitCode()).as(v1Run.toString()).isZero();
        assertThat(old.path("protocolVersion").asString()).isEqualTo("2025-11-25");
        assertThat(old.path("sessionId").asString("")).isNotEmpty();
        assertThat(names(step(old, 0).path("result").path("tools"))).contains("j__test_simple_text", "v2__echo", "v2__sample");
        assertThat(text(step(old, 1))).isEqualTo("sampled: sampled-by-peer");
        assertThat(text(step(old, 2))).startsWith("elicited: accept");
        assertThat(text(step(old, 3))).isEqualTo("LLM response: sampled-by-peer");
        assertThat(step(old, 4).path("progress")).hasSize(3);
        JsonNode headers = step(old, 5).path("result").path("structuredContent").path("headers");
        assertThat(headers.path("mcp-protocol-version").asString()).as("what the 2026 upstream received").isEqualTo("2026-07-28");
        assertThat(headers.path("mcp-method").asString()).isEqualTo("tools/call");
        assertThat(headers.path("mcp-name").asString()).isEqualTo("headers");
        assertThat(methods(old.path("serverRequests"))).containsExactly("sampling/createMessage", "elicitation/create",
                "sampling/createMessage");

        JsonNode modern = v2Run.report();
        assertThat(v2Run.exitCode()).as(v2Run.toString()).isZero();
        assertThat(modern.path("protocolVersion").asString()).isEqualTo("2026-07-28");
        assertThat(modern.path("era").asString()).isEqualTo("modern");
        assertThat(modern.path("sessionId").isNull()).as("stateless: no session").isTrue();
        for (JsonNode exchange : modern.path("httpLog")) {
            assertThat(exchange.has("sessionId")).as("no Mcp-Session-Id was ever issued: %s", exchange).isFalse();
        }
        JsonNode discover = step(modern, 0).path("result");
        assertThat(discover.path("supportedVersions").get(0).asString()).isEqualTo("2026-07-28");
        assertThat(discover.path("capabilities").has("tools")).isTrue();
        assertThat(names(step(modern, 1).path("result").path("tools"))).contains("j__test_input_required_result_elicitation", "v2__sample");
        assertThat(text(step(modern, 2))).isEqualTo("Hello, peer-name!");
        assertThat(text(step(modern, 3))).isEqualTo("LLM response: sampled-by-peer");
        assertThat(text(step(modern, 4))).isEqualTo("sampled: sampled-by-peer");
        assertThat(step(modern, 5).path("progress").size()).as("progress of the 2025 upstream").isGreaterThanOrEqualTo(3);
        assertThat(step(modern, 6).path("progress").size()).as("progress of the 2026 upstream").isGreaterThanOrEqualTo(3);
        assertThat(step(modern, 7).path("result").path("contents").get(0).path("text").asString())
                .isEqualTo("This is the content of the static text resource.");
        assertThat(methods(modern.path("serverRequests"))).as("fulfilled input requests")
                .containsExactly("elicitation/create", "sampling/createMessage", "sampling/createMessage");

        // Every call of both clients is audited with its outcome: one "ok" record per call (three tools
        // were called by both), and one "input-required" record per round the stateless client answered.
        Map<String, Long> ok = Map.of("v2__sample", 2L, "j__test_sampling", 2L, "v2__progress", 2L, "v2__elicit", 1L,
                "v2__headers", 1L, "j__test_input_required_result_elicitation", 1L, "j__test_tool_with_progress", 1L);
        Map<String, Long> inputRequired = Map.of("j__test_input_required_result_elicitation", 1L, "j__test_sampling", 1L,
                "v2__sample", 1L);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<ObjectNode> calls = gatehouse.admin().logs("connection=" + connection.id() + "&limit=500").stream()
                    .filter(r -> "tools/call".equals(r.path("method").asString())).toList();
            assertThat(countByTool(calls, "ok")).as("ok records per tool").isEqualTo(ok);
            assertThat(countByTool(calls, "input-required")).as("input-required records per tool").isEqualTo(inputRequired);
            assertThat(calls).as("no other outcome").hasSize(10 + 3);
        });
    }

    private static Map<String, Long> countByTool(List<ObjectNode> records, String status) {
        return records.stream().filter(r -> status.equals(r.path("status").asString()))
                .collect(java.util.stream.Collectors.groupingBy(r -> r.path("tool").asString(), java.util.stream.Collectors.counting()));
    }

    /**
     * A stateless client's rounds do not depend on the process that started them: the round the
     * first process parked is finished by a second one started on the same data directory (the
     * same master key, the same catalogue), which replays the call with the answers the sealed
     * state carries. A 2025 session of the first process is carried on too: it was written to the
     * database, and the new process takes it up when the client names it.
     */
    @Test
    void aStatelessRoundStartedBeforeARestartFinishesAfterIt() throws Exception {
        HttpResponse<String> session = post(connection.url(), null, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},
                 "clientInfo":{"name":"e2e","version":"1"}}}""", null, null);
        String sessionId = session.headers().firstValue("Mcp-Session-Id").orElseThrow();

        JsonNode round1 = json(post(connection.url(), null, call(10, "j__test_input_required_result_multi_round", null, null),
                "tools/call", "j__test_input_required_result_multi_round"));
        String step1 = onlyKey(round1);
        JsonNode round2 = json(post(connection.url(), null, call(11, "j__test_input_required_result_multi_round",
                "{\"" + step1 + "\":{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}}",
                round1.path("result").path("requestState").asString()), "tools/call", "j__test_input_required_result_multi_round"));
        String step2 = onlyKey(round2);
        assertThat(step2).as(round2.toString()).isNotEqualTo(step1);

        gatehouse.close();
        gatehouse = GatehouseJar.start(dir);
        String url = connection.url().replaceFirst("127\\.0\\.0\\.1:\\d+", "127.0.0.1:" + gatehouse.port());

        JsonNode done = json(post(url, null, call(12, "j__test_input_required_result_multi_round",
                "{\"" + step2 + "\":{\"action\":\"accept\",\"content\":{\"color\":\"green\"}}}", round2.path("result").path("requestState").asString()),
                "tools/call", "j__test_input_required_result_multi_round"));
        assertThat(done.path("result").path("content").get(0).path("text").asString()).as(done.toString()).isEqualTo("Ada likes green");
        assertThat(done.path("result").path("resultType").asString()).isEqualTo("complete");

        HttpResponse<String> kept = post(url, sessionId, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", null, null);
        assertThat(kept.statusCode()).as("a 2025 session outlives its process: %s", kept.body()).isEqualTo(200);
        assertThat(kept.body()).contains("j__test_input_required_result_multi_round");
    }

    /** The key of a round's one input request (derived by Gatehouse: a 2025 server names none). */
    private static String onlyKey(JsonNode round) {
        List<String> keys = new ArrayList<>();
        round.path("result").path("inputRequests").properties().forEach(e -> keys.add(e.getKey()));
        assertThat(keys).as(round.toString()).hasSize(1);
        return keys.getFirst();
    }

    private static String call(int id, String tool, String inputResponses, String requestState) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{},"
                + (inputResponses == null ? "" : "\"inputResponses\":" + inputResponses + ",")
                + (requestState == null ? "" : "\"requestState\":\"" + requestState + "\",")
                + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}},"
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"e2e-raw\",\"version\":\"1\"}}}}";
    }

    private static HttpResponse<String> post(String url, String sessionId, String body, String method, String name) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + connection.token())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
        if (method != null) {
            b.header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method);
        }
        if (name != null) {
            b.header("Mcp-Name", name);
        }
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return E2eJson.parse(r.body());
    }

    private static JsonNode step(JsonNode report, int i) {
        JsonNode s = report.path("steps").get(i);
        assertThat(s.path("ok").asBoolean()).as("step %d: %s", i, s).isTrue();
        return s;
    }

    private static String text(JsonNode step) {
        return step.path("result").path("content").get(0).path("text").asString();
    }

    private static List<String> names(JsonNode items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(i.path("name").asString()));
        return out;
    }

    private static List<String> methods(JsonNode requests) {
        List<String> out = new ArrayList<>();
        requests.forEach(r -> out.add(r.path("method").asString()));
        return out;
    }
}
