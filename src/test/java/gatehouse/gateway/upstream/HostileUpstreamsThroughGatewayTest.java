package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A hostile upstream behind the real gateway, beside a well-behaved one on the same gateway. The
 * hostile server is a deliberate fake (a real MCP server cannot be made to misbehave like this): its
 * tools answer with garbage, silence, a byte-by-byte trickle that never ends, a 100 MB result, a
 * flood of notifications, answers with other ids, a flood of server requests the client never
 * allowed, and a dropped connection. Each call gets a clear JSON-RPC error (or its real result),
 * is logged, and the neighbour's calls and the gateway's health are unaffected throughout.
 */
class HostileUpstreamsThroughGatewayTest extends GatewayTestSupport {
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"hostile\",\"version\":\"1\"}}}";
    private static final List<String> TOOLS = List.of("garbage", "silence", "trickle", "huge", "notification_flood", "wrong_ids",
            "request_flood", "hang_up");
    private static final int FLOOD = 2_000;
    private static final int SERVER_REQUESTS = 50;

    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger answersToServerRequests = new AtomicInteger();
    private final AtomicInteger limitRefusals = new AtomicInteger();
    private HttpServer hostile;
    private RunningFixture neighbour;
    private AdminClient.Connection conn;
    private String hostileName;

    @BeforeAll
    void world() throws IOException {
        hostile = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hostile.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hostile.createContext("/", ex -> {
            try {
                byte[] in = ex.getRequestBody().readAllBytes();
                handle(ex, in.length == 0 ? null : Json.MAPPER.readTree(in));
            } catch (Exception e) {
                // the gateway gave up on a misbehaving answer, or the test ended
            } finally {
                ex.close();
            }
        });
        hostile.start();
        neighbour = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        String gateway = admin.createGateway(unique("hostile"));
        hostileName = unique("hostile");
        admin.assign(gateway, admin.createHttpServer(hostileName, "streamable-http",
                "http://127.0.0.1:" + hostile.getAddress().getPort() + "/mcp"), "hx");
        admin.assign(gateway, admin.createHttpServer(unique("neighbour"), "streamable-http", neighbour.url().toString()), "ok");
        conn = admin.connect(gateway);
    }

    @AfterAll
    void stop() {
        released.countDown();
        hostile.stop(0);
        neighbour.close();
    }

    // ------------------------------------------------------------------ the hostile server

    private void handle(HttpExchange ex, JsonNode body) throws Exception {
        if ("GET".equals(ex.getRequestMethod())) {
            reply(ex, 405, null, "");
            return;
        }
        if (body == null || "DELETE".equals(ex.getRequestMethod())) {
            reply(ex, 202, null, "");
            return;
        }
        String method = body.path("method").asString(null);
        String id = body.has("id") ? body.get("id").toString() : null;
        if (method == null) { // a client's answer to one of our requests
            if (body.has("error") || body.has("result")) {
                answersToServerRequests.incrementAndGet();
            }
            if (body.path("error").path("code").asInt() == JsonRpc.LIMIT_REACHED) {
                limitRefusals.incrementAndGet();
            }
            reply(ex, 202, null, "");
            return;
        }
        switch (method) {
            case "initialize" -> {
                ex.getResponseHeaders().set("Mcp-Session-Id", "hostile-1");
                reply(ex, 200, "application/json", INIT.formatted(id));
            }
            case "tools/list" -> {
                ObjectNode result = Json.object();
                var tools = result.putArray("tools");
                for (String t : TOOLS) {
                    tools.addObject().put("name", t).put("description", "misbehaves: " + t).putObject("inputSchema").put("type", "object");
                }
                reply(ex, 200, "application/json", Json.string(JsonRpc.result(body.get("id"), result)));
            }
            case "tools/call" -> call(ex, body, body.path("params").path("name").asString(""));
            default -> {
                if (id == null) {
                    reply(ex, 202, null, "");
                } else if ("ping".equals(method)) {
                    reply(ex, 200, "application/json", Json.string(JsonRpc.result(body.get("id"), Json.object())));
                } else {
                    reply(ex, 200, "application/json", Json.string(JsonRpc.error(body.get("id"), JsonRpc.METHOD_NOT_FOUND, "no " + method)));
                }
            }
        }
    }

    private void call(HttpExchange ex, JsonNode body, String tool) throws Exception {
        JsonNode id = body.get("id");
        String ok = Json.string(JsonRpc.result(id, text("done: " + tool)));
        switch (tool) {
            case "garbage" -> reply(ex, 200, "application/json", "<html>502 from somewhere</html>\u0000\u0001{{{");
            case "silence" -> released.await(5, TimeUnit.MINUTES);
            case "trickle" -> {
                OutputStream out = sse(ex);
                // One byte at a time, forever (until the gateway hangs up or the test ends).
                for (int i = 0; i < 3_000 && released.getCount() > 0; i++) {
                    out.write(':');
                    out.flush();
                    Thread.sleep(100);
                }
            }
            case "huge" -> {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, 0);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"")
                            .getBytes(StandardCharsets.UTF_8));
                    byte[] chunk = "A".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < 100; i++) {
                        out.write(chunk);
                    }
                    out.write("\"}]}}".getBytes(StandardCharsets.UTF_8));
                }
            }
            case "notification_flood" -> {
                OutputStream out = sse(ex);
                for (int i = 0; i < FLOOD; i++) {
                    event(out, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"n" + i + "\"}}");
                }
                event(out, ok);
                out.close();
            }
            case "wrong_ids" -> {
                OutputStream out = sse(ex);
                event(out, Json.string(JsonRpc.result(Json.MAPPER.valueToTree(987654), text("not yours"))));
                event(out, Json.string(JsonRpc.result(Json.MAPPER.valueToTree("someone-else"), text("not yours either"))));
                event(out, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-1,\"message\":\"no id\"}}");
                event(out, ok);
                out.close();
            }
            case "request_flood" -> {
                OutputStream out = sse(ex);
                for (int i = 0; i < SERVER_REQUESTS; i++) {
                    event(out, "{\"jsonrpc\":\"2.0\",\"id\":\"sr-" + i + "\",\"method\":\"sampling/createMessage\",\"params\":"
                            + "{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"leak?\"}}],\"maxTokens\":5}}");
                }
                event(out, ok);
                out.close();
            }
            case "hang_up" -> {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, 1_000);
                OutputStream out = ex.getResponseBody();
                out.write("{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.UTF_8));
                out.flush();
                throw new IOException("hanging up mid-answer");
            }
            default -> reply(ex, 200, "application/json", Json.string(JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "Unknown tool")));
        }
    }

    private static ObjectNode text(String s) {
        ObjectNode r = Json.object();
        r.putArray("content").addObject().put("type", "text").put("text", s);
        return r;
    }

    private static OutputStream sse(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void reply(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    // ------------------------------------------------------------------ the attacks

    private McpTestClient session() {
        McpTestClient c = client(conn);
        assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        return c;
    }

    /** The neighbour answers and the gateway is healthy: what a hostile upstream must never change. */
    private void othersUnaffected() {
        Result r = session().callTool("ok__test_simple_text", Json.object());
        assertThat(r.result().path("content").get(0).path("type").asString()).as("neighbour's answer %s", r.body()).isEqualTo("text");
        try {
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl() + "/healthz"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The hostile server's misbehaviour alert names {@code kind} among what it saw (one alert for the server). */
    private void alerted(String kind) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<JsonNode> about = new java.util.ArrayList<>();
            for (JsonNode a : admin.send("GET", "/alerts?type=" + gatehouse.catalog.health.ServerHealthBoard.MISBEHAVING, null).body()) {
                if (a.path("subject").asString().equals("server " + hostileName)) {
                    about.add(a);
                }
            }
            assertThat(about).singleElement().satisfies(a -> assertThat(a.path("details").path("kinds").valueStream()
                    .map(JsonNode::asString).toList()).contains(kind));
        });
    }

    private static JsonNode error(Result r) {
        assertThat(r.status()).as("HTTP status of %s", r.body()).isEqualTo(200);
        JsonNode e = r.error();
        assertThat(e).as("an error in %s", r.body()).isNotNull();
        assertThat(e.path("message").asString()).isNotBlank();
        return e;
    }

    @Test
    void garbageAndAHangUpBecomeClearErrors() {
        McpTestClient c = session();
        JsonNode garbage = error(c.callTool("hx__garbage", Json.object()));
        assertThat(garbage.path("code").asInt()).isEqualTo(JsonRpc.UPSTREAM_ERROR);
        assertThat(garbage.path("message").asString()).doesNotContain("<html>");
        JsonNode hangUp = error(c.callTool("hx__hang_up", Json.object()));
        assertThat(hangUp.path("code").asInt()).isEqualTo(JsonRpc.UPSTREAM_ERROR);
        // The session goes on: the same client calls the neighbour and the hostile server again.
        assertThat(c.callTool("ok__test_simple_text", Json.object()).result()).isNotNull();
        othersUnaffected();
        alerted("malformed");
        alerted("failed");
    }

    @Test
    void silenceAndAnEndlessTrickleEndAtTheCallTimeoutWhileTheNeighbourAnswers() {
        McpTestClient c = session();
        Instant from = Instant.now();
        CompletableFuture<Result> silent = CompletableFuture.supplyAsync(() -> c.callTool("hx__silence", Json.object()));
        CompletableFuture<Result> trickle = CompletableFuture.supplyAsync(() -> session().callTool("hx__trickle", Json.object()));
        // While both hang, the neighbour answers and the gateway is healthy.
        othersUnaffected();
        assertThat(silent).isNotDone();
        JsonNode s = error(McpTestClient.join(silent, Duration.ofSeconds(120)));
        JsonNode t = error(McpTestClient.join(trickle, Duration.ofSeconds(120)));
        // The call's deadline or the HTTP request's own one (the same setting) may fire first; either way
        // the client is told the upstream did not answer in time.
        for (JsonNode e : List.of(s, t)) {
            assertThat(e.path("code").asInt()).as("%s", e).isIn(JsonRpc.REQUEST_TIMEOUT, JsonRpc.UPSTREAM_ERROR);
            assertThat(e.path("message").asString()).as("%s", e).containsAnyOf("did not answer", "timed out");
        }
        awaitLogs("from=" + from + "&connection=" + conn.id() + "&limit=100",
                r -> r.path("tool").asString("").startsWith("hx__") && "error".equals(r.path("status").asString(null)), 2);
        alerted("silence");
    }

    @Test
    void aHundredMegabyteResultFailsTheCallClearlyWithoutHarm() {
        Result r = session().callTool("hx__huge", Json.object());
        JsonNode e = error(r);
        assertThat(e.path("code").asInt()).isEqualTo(JsonRpc.UPSTREAM_ERROR);
        assertThat(r.body().length()).as("nothing of the 100 MB reaches the client").isLessThan(4_096);
        othersUnaffected();
        alerted("oversized");
    }

    @Test
    void aNotificationFloodIsRelayedAndTheResultStillArrives() {
        Result r = session().callTool("hx__notification_flood", Json.object());
        assertThat(r.result().path("content").get(0).path("text").asString()).as(r.body()).isEqualTo("done: notification_flood");
        othersUnaffected();
    }

    @Test
    void answersWithOtherIdsAreIgnoredAndTheRealAnswerWins() {
        Result r = session().callTool("hx__wrong_ids", Json.object());
        assertThat(r.result().path("content").get(0).path("text").asString()).as(r.body()).isEqualTo("done: wrong_ids");
        assertThat(r.body()).doesNotContain("not yours");
        othersUnaffected();
        alerted("foreign-answer");
    }

    @Test
    void serverRequestsTheClientNeverAllowedAreRefusedUpstreamAndNeverReachIt() {
        int before = answersToServerRequests.get();
        Result r = session().callTool("hx__request_flood", Json.object());
        assertThat(r.result().path("content").get(0).path("text").asString()).as(r.body()).isEqualTo("done: request_flood");
        assertThat(r.body()).as("the client declared no sampling").doesNotContain("sampling/createMessage").doesNotContain("leak?");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(answersToServerRequests.get() - before).isEqualTo(SERVER_REQUESTS));
        othersUnaffected();
        alerted("uninvited-request");
    }

    @Test
    void requestsAClientLeavesUnansweredAreBoundedPerSessionAndTheRestAreRefusedUpstream() {
        int refusedBefore = limitRefusals.get();
        McpTestClient c = client(conn);
        assertThat(c.initialize(McpTestClient.capabilities("sampling")).status()).isEqualTo(200);
        c.onServerRequest(request -> { // a client that never answers (until the test class ends)
            try {
                released.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Json.object();
        });
        Result r = c.callTool("hx__request_flood", Json.object());
        assertThat(r.result().path("content").get(0).path("text").asString()).as(r.body()).isEqualTo("done: request_flood");
        long relayed = r.interim().stream().filter(m -> "sampling/createMessage".equals(m.path("method").asString(null))).count();
        int limit = gatehouse.gateway.session.SessionLimits.DEFAULTS.clientRequestsPerSession();
        assertThat(relayed).as("requests waiting for this client, at most the bound").isEqualTo(limit);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(limitRefusals.get() - refusedBefore).isEqualTo(SERVER_REQUESTS - limit));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.send("GET", "/alerts", null).body())
                .anySatisfy(a -> {
                    assertThat(a.path("type").asString()).isEqualTo("bound-reached");
                    assertThat(a.path("subject").asString()).isEqualTo("gatehouse.mcp.limits.client-requests-per-session " + conn.id());
                }));
        othersUnaffected();
    }
}
