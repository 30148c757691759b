package gatehouse.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient.Connection;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bounds on what a client can make the gateway hold, attacked through the running gateway with
 * small settings (its own application context): calls in flight on one session, stateless calls
 * parked while their client answers input, and the shape of incoming messages. Each refusal is a
 * JSON-RPC error naming its setting, neighbours go on, and a person is told by a
 * {@code bound-reached} alert.
 */
@TestPropertySource(properties = {
        "gatehouse.mcp.limits.calls-in-flight-per-session=1",
        "gatehouse.mcp.limits.parked-inputs-per-connection=1",
        "gatehouse.mcp.json.max-array-length=50",
        "gatehouse.mcp.json.max-object-members=40",
        "gatehouse.mcp.json.max-string-length=2000",
        "gatehouse.mcp.json.max-depth=16",
})
class SessionBoundsThroughGatewayTest extends GatewayTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String ELICITS = "fx__test_input_required_result_elicitation";

    private RunningFixture fixture;
    private String gateway;

    @BeforeAll
    void world() {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        gateway = admin.createGateway(unique("bounds"));
        admin.assign(gateway, admin.createHttpServer(unique("fixture"), "streamable-http", fixture.url().toString()), "fx");
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private McpTestClient session(Connection c, String... capabilities) {
        McpTestClient client = client(c);
        assertThat(client.initialize(McpTestClient.capabilities(capabilities)).status()).isEqualTo(200);
        return client;
    }

    private static String text(Result r) {
        return r.result().path("content").path(0).path("text").asString("");
    }

    private static Result stateless(McpTestClient client, String tool, ObjectNode arguments) {
        ObjectNode params = Json.object();
        params.put("name", tool);
        params.set("arguments", arguments);
        ObjectNode meta = params.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
        meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, McpTestClient.capabilities("elicitation"));
        Map<String, String> h = new HashMap<>();
        h.put("MCP-Protocol-Version", "2026-07-28");
        h.put("Mcp-Method", "tools/call");
        h.put("Mcp-Name", tool);
        return client.send(client.request("tools/call", params), h);
    }

    private void awaitAlert(String setting, String connectionId) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(admin.send("GET", "/alerts", null).body()).anySatisfy(a -> {
            assertThat(a.path("type").asString()).isEqualTo("bound-reached");
            assertThat(a.path("subject").asString()).isEqualTo(setting + " " + connectionId);
        }));
    }

    private static void limitReached(Result r, String setting, int limit) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode e = r.error();
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.path("code").asInt()).isEqualTo(JsonRpc.LIMIT_REACHED);
        assertThat(e.path("message").asString()).contains(setting);
        assertThat(e.path("data").path("setting").asString()).isEqualTo(setting);
        assertThat(e.path("data").path("limit").asInt()).isEqualTo(limit);
    }

    @Test
    void aSessionHoldsAtMostItsCallsInFlightAndTheNextIsRefusedUntilOneEnds() throws Exception {
        Connection conn = admin.connect(gateway);
        McpTestClient c = session(conn, "elicitation");
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        c.onServerRequest(request -> {
            asked.countDown();
            try {
                answer.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Json.tree("{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}");
        });
        CompletableFuture<Result> first = CompletableFuture.supplyAsync(() -> c.callTool(ELICITS, Json.object()));
        assertThat(asked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the call waits for the client's answer").isTrue();

        limitReached(c.callTool("fx__test_simple_text", Json.object()), "gatehouse.mcp.limits.calls-in-flight-per-session", 1);
        assertThat(session(conn).callTool("fx__test_simple_text", Json.object()).result()).as("another session of the connection")
                .isNotNull();

        answer.countDown();
        assertThat(text(McpTestClient.join(first, WAIT))).isEqualTo("Hello, Ada!");
        assertThat(c.callTool("fx__test_simple_text", Json.object()).result()).as("its place is free again").isNotNull();
        awaitAlert("gatehouse.mcp.limits.calls-in-flight-per-session", conn.id());
    }

    @Test
    void aConnectionParksAtMostItsInputRoundsAndTheNextCallIsCancelled() {
        Connection conn = admin.connect(gateway);
        McpTestClient c = client(conn);
        Result first = stateless(c, ELICITS, Json.object());
        assertThat(first.result().path("resultType").asString()).as(first.body()).isEqualTo("input_required");

        limitReached(stateless(c, ELICITS, Json.object()), "gatehouse.mcp.limits.parked-inputs-per-connection", 1);
        Result neighbour = stateless(client(admin.connect(gateway)), ELICITS, Json.object());
        assertThat(neighbour.result().path("resultType").asString()).as("another connection").isEqualTo("input_required");
        awaitAlert("gatehouse.mcp.limits.parked-inputs-per-connection", conn.id());
    }

    private static void shapeRefused(Result r, String setting) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.error().path("code").asInt()).isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(r.error().path("message").asString()).contains("gatehouse.mcp.json." + setting);
    }

    @Test
    void oversizedMessageShapesAreRefusedNamingTheLimitInBothGenerations() {
        Connection conn = admin.connect(gateway);
        McpTestClient c = session(conn);
        ObjectNode args = Json.object();
        var list = args.putArray("items");
        for (int i = 0; i < 51; i++) {
            list.add(i);
        }
        shapeRefused(c.callTool("fx__test_simple_text", args), "max-array-length");
        shapeRefused(stateless(client(conn), "fx__test_simple_text", args), "max-array-length");
        ObjectNode wide = Json.object();
        for (int i = 0; i < 41; i++) {
            wide.put("k" + i, i);
        }
        shapeRefused(c.callTool("fx__test_simple_text", wide), "max-object-members");
        shapeRefused(c.callTool("fx__test_simple_text", Json.object().put("s", "x".repeat(2001))), "max-string-length");
        String deep = "[".repeat(14) + "]".repeat(14);
        shapeRefused(c.post(("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"fx__test_simple_text\","
                + "\"arguments\":{\"a\":" + deep + "}}}").getBytes(StandardCharsets.UTF_8), Map.of()), "max-depth");
        // within the limits the same session goes on
        ObjectNode fine = Json.object();
        fine.putArray("items").add(1).add(2);
        assertThat(c.callTool("fx__test_simple_text", fine).result()).isNotNull();
    }
}
