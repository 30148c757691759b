package gatehouse.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.fixture.ConformanceFixture;
import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient.Connection;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hostile and broken input at the MCP endpoint: each is refused with the exact HTTP status and
 * JSON-RPC error the protocol asks for, reveals nothing about what exists, and is still logged.
 */
class McpBadInputTest extends GatewayTestSupport {
    private static final String RESOURCE_METADATA = PUBLIC_URL + "/.well-known/oauth-protected-resource/gateway/v1/mcp";

    private RunningFixture fixture;
    private Connection conn;
    private Connection otherConn;
    private final List<McpTestClient> clients = new CopyOnWriteArrayList<>();

    @BeforeAll
    void gateways() {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        String fx = admin.createHttpServer(unique("bad-input-fixture"), "streamable-http", fixture.url().toString());
        String other = admin.createHttpServer(unique("bad-input-elsewhere"), "streamable-http", fixture.url().toString());
        String gateway = admin.createGateway(unique("bad-input"));
        admin.assign(gateway, fx, "fx");
        String otherGateway = admin.createGateway(unique("bad-input-other"));
        admin.assign(otherGateway, other, "other");
        conn = admin.connect(gateway);
        otherConn = admin.connect(otherGateway);
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @AfterEach
    void endSessions() {
        for (McpTestClient c : clients) {
            if (c.sessionId() != null) {
                c.delete();
            }
            c.close();
        }
        clients.clear();
    }

    private McpTestClient session(Connection c) {
        McpTestClient client = client(c);
        clients.add(client);
        assertThat(client.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        return client;
    }

    private McpTestClient anonymous(URI url) {
        McpTestClient client = new McpTestClient(url, null);
        clients.add(client);
        return client;
    }

    // ------------------------------------------------------------------ JSON-RPC

    @Test
    void nestingBeyondTheLimitIsAParseErrorThatSaysSo() {
        McpTestClient c = session(conn);
        int depth = gatehouse.platform.Json.MAX_NESTING_DEPTH + 10;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        Result r = c.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{\"a\":" + deep + "}}}", Map.of());
        assertRefused(r, 400, -32700);
        assertThat(r.error().path("message").asString()).contains("nesting depth").contains(Integer.toString(gatehouse.platform.Json.MAX_NESTING_DEPTH));
        String fine = "[".repeat(20) + "]".repeat(20);
        Result ok = c.post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"_meta\":{\"a\":" + fine + "}}}", Map.of());
        assertThat(ok.status()).as("ordinary nesting passes: %s", ok.body()).isEqualTo(200);
    }

    @Test
    void malformedJsonIsAParseError() {
        McpTestClient c = session(conn);

        Result r = c.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":", Map.of());

        assertRefused(r, 400, -32700);
        assertThat(r.response().get("id").isNull()).isTrue();
    }

    @Test
    void anInvalidEnvelopeIsAnInvalidRequest() {
        McpTestClient c = session(conn);

        Result oldVersion = c.post("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", Map.of());
        Result arrayParams = c.post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":[1,2]}", Map.of());
        Result numberMethod = c.post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":42}", Map.of());
        Result batch = c.post("[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}]", Map.of());
        Result notAnObject = c.post("\"ping\"", Map.of());

        for (Result r : List.of(oldVersion, arrayParams, numberMethod, batch, notAnObject)) {
            assertRefused(r, 400, -32600);
        }
        assertThat(oldVersion.error().path("message").asString()).contains("\"jsonrpc\" must be \"2.0\"");
        assertThat(arrayParams.error().path("message").asString()).contains("\"params\" must be an object");
    }

    @Test
    void anUnknownMethodIsMethodNotFound() {
        McpTestClient c = session(conn);

        Result r = c.call("tools/destroy_everything", Json.object());

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.response().get("id").asLong()).isEqualTo(2L);
        assertThat(r.error().path("code").asInt()).isEqualTo(-32601);
        assertThat(r.error().path("message").asString()).isEqualTo("Method not found: tools/destroy_everything");
    }

    @Test
    void toolsCallWithoutAUsableNameIsInvalidParams() {
        McpTestClient c = session(conn);

        Result noName = c.call("tools/call", Json.tree("{\"arguments\":{}}"));
        Result numberName = c.call("tools/call", Json.tree("{\"name\":7}"));
        Result noParams = c.call("tools/call", null);

        for (Result r : List.of(noName, numberName, noParams)) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.error().path("code").asInt()).isEqualTo(-32602);
            assertThat(r.error().path("message").asString()).isEqualTo("params.name is required and must be a non-empty string");
        }
    }

    @Test
    void anUnknownToolAndAToolOfAServerOutsideTheGatewayAnswerAlike() {
        McpTestClient c = session(conn);
        assertThat(c.callTool("fx__test_simple_text", null).result().path("isError").asBoolean()).isFalse();

        for (String name : List.of("fx__no_such_tool", "other__test_simple_text", "nobody__test_simple_text", "test_simple_text")) {
            Result r = c.callTool(name, null);

            assertThat(r.status()).as(name).isEqualTo(200);
            assertThat(r.messages()).as(name).hasSize(1);
            assertThat(r.response().path("error")).as(name).isEqualTo(Json.tree("""
                    {"code":-32602,"message":"Unknown tool: %s"}""".formatted(name)));
        }
        for (String name : List.of("fx__no_such_prompt", "other__test_simple_prompt", "test_simple_prompt")) {
            Result r = c.call("prompts/get", obj("name", name));

            assertThat(r.response().path("error")).as(name).isEqualTo(Json.tree("""
                    {"code":-32602,"message":"Unknown prompt: %s"}""".formatted(name)));
        }
    }

    private static ObjectNode obj(String key, String value) {
        ObjectNode o = Json.object();
        o.put(key, value);
        return o;
    }

    // ------------------------------------------------------------------ authentication and the connection

    @Test
    void aMissingTokenIsChallengedWithTheResourceMetadata() {
        McpTestClient c = anonymous(mcpUrl(null));
        McpTestClient named = anonymous(mcpUrl(conn.gatewayId()));

        Result r = c.initialize(McpTestClient.capabilities());
        Result withGateway = named.initialize(McpTestClient.capabilities());

        assertRefused(r, 401, -32600);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer resource_metadata=\"" + RESOURCE_METADATA + "\"");
        assertRefused(withGateway, 401, -32600);
        assertThat(withGateway.header("WWW-Authenticate")).as("the metadata may name the gateway asked for")
                .matches("Bearer resource_metadata=\"" + Pattern.quote(RESOURCE_METADATA) + "(\\?gateway=" + conn.gatewayId() + ")?\"");
        assertThat(c.openStream().status()).isEqualTo(401);
        assertThat(c.delete().status()).isEqualTo(401);
    }

    @Test
    void aWrongTokenIsRefusedLikeAMissingOne() {
        McpTestClient c = new McpTestClient(mcpUrl(conn.gatewayId()), conn.token() + "x");
        clients.add(c);

        Result r = c.initialize(McpTestClient.capabilities());

        assertRefused(r, 401, -32600);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer resource_metadata=\"" + RESOURCE_METADATA)
                .contains("error=\"invalid_token\"");
    }

    @Test
    void aDisabledConnectionIsRefusedAndLosesItsStreamUntilReEnabled() {
        Connection mine = admin.connect(conn.gatewayId());
        McpTestClient c = session(mine);
        McpTestClient.EventStream stream = c.openStream();
        assertThat(stream.status()).isEqualTo(200);

        admin.setEnabled(mine.id(), false);
        Result refused = c.call("ping", null);
        McpTestClient.join(stream.ended(), Duration.ofSeconds(5));
        McpTestClient.EventStream reopened = c.openStream();

        assertRefused(refused, 403, -32600);
        assertThat(reopened.status()).isEqualTo(403);
        admin.setEnabled(mine.id(), true);
        assertThat(c.call("ping", null).result()).as("the same session works again").isEqualTo(Json.object());
        try (McpTestClient.EventStream again = c.openStream()) {
            assertThat(again.status()).isEqualTo(200);
        }
    }

    /**
     * The answer says what is wrong (the token is for another gateway) and is the same, but for the
     * id the caller typed, whether or not the asked gateway exists.
     */
    @Test
    void aGatewayOtherThanTheTokensAnswersLikeOneThatDoesNotExist() {
        McpTestClient foreign = new McpTestClient(mcpUrl(otherConn.gatewayId()), conn.token());
        McpTestClient missing = new McpTestClient(mcpUrl("gw_doesnotexist"), conn.token());
        clients.addAll(List.of(foreign, missing));

        Result a = foreign.initialize(McpTestClient.capabilities());
        Result b = missing.initialize(McpTestClient.capabilities());

        assertRefused(a, 404, -32600);
        assertThat(a.body().toString()).contains("This token is not valid for gateway '" + otherConn.gatewayId() + "'");
        assertThat(b.status()).isEqualTo(a.status());
        assertThat(b.body().toString()).isEqualTo(a.body().toString().replace(otherConn.gatewayId(), "gw_doesnotexist"));
        assertThat(b.header("WWW-Authenticate")).isEqualTo(a.header("WWW-Authenticate"));
    }

    @Test
    void withoutTheGatewayParameterTheConnectionsGatewayIsUsed() {
        McpTestClient c = new McpTestClient(mcpUrl(null), conn.token());
        clients.add(c);

        assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        assertThat(c.callTool("fx__test_simple_text", null).result().path("content").get(0).path("text").asString())
                .isEqualTo(ConformanceFixture.SIMPLE_TEXT);
    }

    // ------------------------------------------------------------------ transport

    @Test
    void aBodyOverTheLimitIsRefusedWithoutBeingRead() throws Exception {
        McpTestClient c = session(conn);
        byte[] big = oversizedCall();

        Result declared = c.post(big, Map.of());
        int chunked = postChunked(big, c.sessionId());

        assertRefused(declared, 413, -32600);
        assertThat(chunked).isEqualTo(413);
        assertThat(c.call("ping", null).result()).as("the session survives").isEqualTo(Json.object());
    }

    @Test
    void aSmallBodyThatArrivesInPiecesIsReadWhole() throws Exception {
        McpTestClient c = session(conn);
        byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":\"pieces-1\",\"method\":\"ping\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
            String head = "POST /gateway/v1/mcp?gateway=" + conn.gatewayId() + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Authorization: Bearer " + conn.token() + "\r\n"
                    + "Mcp-Session-Id: " + c.sessionId() + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\n"
                    + "Connection: close\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            var out = socket.getOutputStream();
            out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body, 0, 10);
            out.flush();
            Thread.sleep(300); // the rest arrives later, in two more pieces
            out.write(body, 10, 20);
            out.flush();
            Thread.sleep(300);
            out.write(body, 30, body.length - 30);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200");
            assertThat(answer).contains("\"id\":\"pieces-1\"").contains("\"result\":{}");
        }
    }

    @Test
    void anAnonymousRequestIsRefusedBeforeItsBodyArrives() throws Exception {
        // Headers that announce a huge body, and no body at all: the answer must not wait for it.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            String head = "POST /gateway/v1/mcp?gateway=" + conn.gatewayId() + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + port + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\n"
                    + "Content-Length: 1000000000\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
            String statusLine = in.readLine();
            assertThat(statusLine).startsWith("HTTP/1.1 401");
            List<String> headers = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                headers.add(line.toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(headers).anyMatch(h -> h.startsWith("www-authenticate: bearer resource_metadata="));
        }
    }

    @Test
    void aHostileOriginIsRefusedBeforeAuthentication() {
        McpTestClient c = session(conn);
        McpTestClient anon = anonymous(mcpUrl(conn.gatewayId()));

        Result hostile = c.send(c.request("ping", null), Map.of("Origin", "http://evil.example"));
        Result hostileAnonymous = anon.send(anon.request("ping", null), Map.of("Origin", "http://evil.example"));
        Result loopback = c.send(c.request("ping", null), Map.of("Origin", "http://localhost:5173"));
        Result publicOrigin = c.send(c.request("ping", null), Map.of("Origin", PUBLIC_URL));

        assertRefused(hostile, 403, -32600);
        assertRefused(hostileAnonymous, 403, -32600);
        assertThat(hostileAnonymous.header("WWW-Authenticate")).isNull();
        assertThat(c.openStream(Map.of("Origin", "http://evil.example")).status()).isEqualTo(403);
        // Another local app is another site unless gatehouse.mcp.loopback-origins-allowed says otherwise.
        assertRefused(loopback, 403, -32600);
        assertThat(publicOrigin.status()).isEqualTo(200);
    }

    @Test
    void anUnsupportedProtocolVersionHeaderIsABadRequest() {
        McpTestClient c = session(conn);

        Result r = c.send(c.request("ping", null), Map.of("MCP-Protocol-Version", "1999-01-01"));

        assertRefused(r, 400, -32600);
        assertThat(r.error().path("message").asString()).contains("1999-01-01");
    }

    @Test
    void aMissingSessionIsABadRequestAndAnUnknownOneIsNotFound() {
        McpTestClient c = session(conn);

        Result missing = c.send(c.request("ping", null), mapWithNull("Mcp-Session-Id"));
        Result unknown = c.send(c.request("ping", null), Map.of("Mcp-Session-Id", "no-such-session"));
        McpTestClient stranger = new McpTestClient(mcpUrl(otherConn.gatewayId()), otherConn.token());
        clients.add(stranger);
        Result otherConnections = stranger.send(c.request("ping", null), Map.of("Mcp-Session-Id", c.sessionId(), "MCP-Protocol-Version", McpTestClient.PROTOCOL_VERSION));

        assertRefused(missing, 400, -32600);
        assertRefused(unknown, 404, -32600);
        assertRefused(otherConnections, 404, -32600);
        assertThat(otherConnections.body()).as("another connection's session is as unknown as a made-up one").isEqualTo(unknown.body());
    }

    // ------------------------------------------------------------------ audit

    @Test
    void everyRefusedRequestIsLogged() throws Exception {
        Connection mine = admin.connect(conn.gatewayId());
        McpTestClient c = session(mine);
        McpTestClient anon = anonymous(mcpUrl(conn.gatewayId()));
        audit.awaitQueuedWritten(AUDIT_WAIT);
        Instant from = Instant.now();

        List<Integer> statuses = new ArrayList<>();
        statuses.add(c.post("{oops", Map.of()).status());
        statuses.add(anon.send(anon.request("ping", null), Map.of()).status());
        statuses.add(c.send(c.request("ping", null), Map.of("Authorization", "Bearer wrong")).status());
        statuses.add(c.send(c.request("ping", null), Map.of("Origin", "http://evil.example")).status());
        statuses.add(c.post(oversizedCall(), Map.of()).status());
        statuses.add(c.send(c.request("ping", null), Map.of("MCP-Protocol-Version", "1999-01-01")).status());
        statuses.add(c.send(c.request("ping", null), Map.of("Mcp-Session-Id", "no-such-session")).status());
        statuses.add(anon.openStream().status());
        statuses.add(anon.delete().status());
        statuses.add(c.openStream(Map.of("Mcp-Session-Id", "no-such-session")).status());
        admin.setEnabled(mine.id(), false);
        statuses.add(c.send(c.request("ping", null), Map.of()).status());
        admin.setEnabled(mine.id(), true);

        assertThat(statuses).containsExactly(400, 401, 401, 403, 413, 400, 404, 401, 401, 404, 403);
        // The answer goes out before the record is queued, so records of back-to-back requests may
        // swap places: compare them as a set of (status, code, caller known, message start).
        List<String> refusals = awaitLogs("from=" + from + "&limit=1000", r -> "http".equals(r.path("kind").asString(null)), 11).stream()
                .map(r -> String.join(" | ", r.path("status").asString(), r.path("errorCode").asString(),
                        r.path("connectionId").isNull() ? "anonymous" : r.path("connectionId").asString(),
                        r.path("errorMessage").asString().substring(0, 12)))
                .toList();
        String caller = mine.id();
        assertThat(refusals).containsExactlyInAnyOrder(
                "rejected | -32700 | " + caller + " | Parse error:",
                "denied | -32600 | anonymous | Unauthorized",
                "denied | -32600 | anonymous | Unauthorized",
                "denied | -32600 | anonymous | Origin 'http",
                "rejected | -32600 | " + caller + " | request body", // authenticated before its body is read
                "rejected | -32600 | anonymous | Unsupported ",
                "rejected | -32600 | " + caller + " | Session not ",
                "denied | -32600 | anonymous | Unauthorized",
                "denied | -32600 | anonymous | Unauthorized",
                "rejected | -32600 | " + caller + " | Session not ",
                "denied | -32600 | " + caller + " | This connect");
    }

    // ------------------------------------------------------------------ helpers

    private static void assertRefused(Result r, int status, int code) {
        assertThat(r.status()).as("HTTP status of %s", r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode error = r.error();
        assertThat(error.path("code").asInt()).as("JSON-RPC code of %s", r.body()).isEqualTo(code);
        assertThat(error.path("message").asString()).isNotBlank();
        assertThat(r.response().path("jsonrpc").asString()).isEqualTo("2.0");
    }

    private static Map<String, String> mapWithNull(String header) {
        Map<String, String> m = new HashMap<>();
        m.put(header, null);
        return m;
    }

    private static byte[] oversizedCall() {
        char[] filler = new char[(int) MAX_BODY_BYTES + 1024];
        Arrays.fill(filler, 'a');
        ObjectNode params = Json.object();
        params.put("name", "fx__test_simple_text");
        params.putObject("arguments").put("filler", new String(filler));
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.put("id", 99);
        m.put("method", "tools/call");
        m.set("params", params);
        return Json.bytes(m);
    }

    /** A body without Content-Length: the limit must hold while reading, too. */
    private int postChunked(byte[] body, String sessionId) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest req = HttpRequest.newBuilder(mcpUrl(conn.gatewayId()))
                    .header("Authorization", "Bearer " + conn.token())
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .header("Mcp-Session-Id", sessionId)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                    .build();
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
