package gatehouse.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;

/**
 * Fuzzing through the running gateway with generated input (jqwik arbitraries): hundreds of
 * hostile MCP messages (any method, any params, odd ids, wrong or stateless protocol headers, with
 * and without a session) and admin-API bodies of every wrong shape. The properties: no answer is a
 * 5xx, every refusal is the protocol's error shape (JSON-RPC on the data plane, RFC 9457 on the admin
 * API), nothing hangs (each request has a deadline), and afterwards a normal call and the health
 * check still work. Failing inputs are printed in the assertion message.
 */
class FuzzThroughGatewayTest extends GatewayTestSupport {
    private static final int MCP_MESSAGES = 400;
    private static final int ADMIN_BODIES = 300;

    private RunningFixture fixture;
    private AdminClient.Connection conn;
    private String gateway;

    @BeforeAll
    void world() {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        gateway = admin.createGateway(unique("fuzz"));
        admin.assign(gateway, admin.createHttpServer(unique("fuzz-fx"), "streamable-http", fixture.url().toString()), "fx");
        conn = admin.connect(gateway);
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    // ------------------------------------------------------------------ generators

    /** JSON values as text, scalars to nested containers, with the odd strings parsers trip on. */
    static Arbitrary<String> json(int depth) {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-1", "1e400", "1.5", "\"\"", "\"2.0\"", "\"fx__test_simple_text\"",
                        "\"test://static-text\"", "\"\\u0000\"", "\"\\ud800\"", "\"../../etc/passwd\"", "\"%00\"", "9223372036854775808"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.strings().ofMaxLength(30).map(Json::string));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> json(depth - 1));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, scalars),
                net.jqwik.api.Tuple.of(1, inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]")),
                net.jqwik.api.Tuple.of(2, Arbitraries.maps(Arbitraries.of("name", "arguments", "uri", "cursor", "_meta", "protocolVersion",
                        "capabilities", "x", "requestState", "inputResponses", "io.modelcontextprotocol/protocolVersion"), inner)
                        .ofMaxSize(4).map(FuzzThroughGatewayTest::object)));
    }

    private static String object(Map<String, String> fields) {
        StringBuilder b = new StringBuilder("{");
        fields.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(Json.string(k)).append(':').append(v));
        return b.append('}').toString();
    }

    record Message(String body, Map<String, String> headers, boolean withSession) {
    }

    private static Arbitrary<Message> messages() {
        Arbitrary<String> methods = Arbitraries.oneOf(Arbitraries.of("ping", "tools/list", "tools/call", "prompts/get", "prompts/list",
                "resources/read", "resources/list", "resources/templates/list", "resources/subscribe", "completion/complete",
                "logging/setLevel", "server/discover", "notifications/cancelled", "notifications/initialized", "initialize"),
                Arbitraries.strings().ofMaxLength(20));
        Arbitrary<String> ids = Arbitraries.of("1", "\"a\"", "null", "1.5", "{}", "[]", "-9223372036854775809", "\"\"");
        Arbitrary<String> bodies = Combinators.combine(methods, ids, json(3), Arbitraries.integers().between(0, 9))
                .as((method, id, params, shape) -> switch (shape) {
                    case 0 -> "{\"jsonrpc\":\"2.0\",\"method\":" + Json.string(method) + ",\"params\":" + params + "}";
                    case 1 -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + params + "}";
                    case 2 -> params;
                    case 3 -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":" + Json.string(method) + ",\"params\":" + params;
                    default -> "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":" + Json.string(method) + ",\"params\":" + params + "}";
                });
        Arbitrary<Map<String, String>> headers = Combinators.combine(
                Arbitraries.of("", "2025-11-25", "2025-06-18", "2026-07-28", "1999-01-01", "2025-11-25, 2026-07-28"),
                Arbitraries.of("", "tools/call", "ping", "other", "\u00e9"),
                Arbitraries.of("", "fx__test_simple_text", "nope", " "))
                .as((version, mcpMethod, mcpName) -> {
                    Map<String, String> h = new HashMap<>();
                    if (!version.isEmpty()) {
                        h.put("MCP-Protocol-Version", version);
                    }
                    if (!mcpMethod.isEmpty()) {
                        h.put("Mcp-Method", mcpMethod);
                    }
                    if (!mcpName.isEmpty()) {
                        h.put("Mcp-Name", mcpName);
                    }
                    return h;
                });
        return Combinators.combine(bodies, headers, Arbitraries.of(true, false)).as(Message::new)
                // a listen stream stays open by design; it is exercised elsewhere
                .filter(m -> !m.body().contains("subscriptions/listen"));
    }

    // ------------------------------------------------------------------ the data plane

    @Test
    void hostileMcpMessagesNeverGetA5xxAndAlwaysTheProtocolsErrorShape() {
        McpTestClient session = client(conn);
        assertThat(session.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        McpTestClient sessionless = client(conn);
        List<String> failures = new ArrayList<>();
        messages().sampleStream().limit(MCP_MESSAGES).forEach(m -> {
            McpTestClient c = m.withSession() ? session : sessionless;
            Result r = c.post(m.body().getBytes(StandardCharsets.UTF_8), m.headers());
            String problem = problem(r);
            if (problem != null) {
                failures.add(problem + " for " + m);
            }
        });
        assertThat(failures).isEmpty();
        stillServing();
    }

    /** Null when the answer is acceptable for hostile input, else what is wrong with it. */
    private static String problem(Result r) {
        if (r.status() >= 500) {
            return "HTTP " + r.status() + " " + r.body();
        }
        if (r.status() == 202 || r.status() == 204) {
            return null;
        }
        try {
            if (r.streamed()) {
                return r.messages().stream().allMatch(m -> "2.0".equals(m.path("jsonrpc").asString(null))) ? null : "bad event " + r.body();
            }
            JsonNode body = Json.tree(r.body());
            if (!"2.0".equals(body.path("jsonrpc").asString(null)) || !(body.has("result") || body.has("error"))) {
                return "not a JSON-RPC answer: " + r.body();
            }
            if (r.status() >= 400 && !body.has("error")) {
                return "HTTP " + r.status() + " without an error: " + r.body();
            }
            return null;
        } catch (RuntimeException e) {
            return "HTTP " + r.status() + " body is not JSON: " + r.body();
        }
    }

    private void stillServing() {
        McpTestClient c = client(conn);
        assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        Result call = c.callTool("fx__test_simple_text", Json.object());
        assertThat(call.result().path("content").get(0).path("type").asString()).as(call.body()).isEqualTo("text");
        assertThat(admin.raw("GET", "/healthz", null).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ the admin API

    record AdminCall(String method, String path, String body) {
    }

    /** Field values that never point outside loopback and never name a program that exists. */
    private static Arbitrary<String> adminValue() {
        return Arbitraries.oneOf(json(2),
                Arbitraries.of("\"http://127.0.0.1:9/mcp\"", "\"ftp://127.0.0.1/x\"", "\"javascript:alert(1)\"", "\"http://[::1\"",
                        "[\"/nonexistent/fuzz-server\",\"--x\"]", "\"/nonexistent/fuzz-server --flag\"", "\"stdio\"", "\"sse\"",
                        "\"streamable-http\"", "\"regex\"", "\"pii\"", "\"block\"", "\"enforce\"", "\"((((\"", "\"shared\"", "\"personal\""));
    }

    private Arbitrary<AdminCall> adminCalls(String serverId) {
        Map<String, List<String>> fields = Map.of(
                "/servers", List.of("name", "transport", "type", "command", "args", "env", "url", "headers", "oauth", "credentialHeader"),
                "/gateways", List.of("name", "description", "x"),
                "/users", List.of("username", "password", "email", "enabled"),
                "/teams", List.of("name"),
                "/hosts", List.of("name"),
                "/roles", List.of("name", "permissions"),
                "/gateways/" + gateway + "/rules", List.of("name", "type", "patterns", "entities", "minScore", "action", "direction",
                        "mode", "replacement", "allowList"),
                "PATCH /servers/" + serverId, List.of("name", "url", "command", "env", "headers", "transport"),
                "PUT /gateways/" + gateway + "/servers/" + serverId, List.of("identity", "prefix"));
        return Arbitraries.of(List.copyOf(fields.keySet())).flatMap(target -> {
            List<String> names = fields.get(target);
            return Arbitraries.maps(Arbitraries.of(names), adminValue()).ofMaxSize(names.size()).flatMap(m ->
                    Arbitraries.of(0, 1, 2, 3, 4, 5).map(shape -> {
                        String body = switch (shape) {
                            case 0 -> "[]";
                            case 1 -> "{\"name\":";
                            case 2 -> "null";
                            default -> object(m);
                        };
                        String[] parts = target.split(" ", 2);
                        return parts.length == 2 ? new AdminCall(parts[0], parts[1], body) : new AdminCall("POST", target, body);
                    }));
        });
    }

    /** Found by schemathesis: a malformed multipart body made the container fail with 500. */
    @Test
    void aMalformedMultipartBodyIsAnUnsupportedMediaTypeNotAServerError() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(baseUrl() + "/api/v1/gateways"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "multipart/form-data; boundary=x")
                .timeout(java.time.Duration.ofSeconds(60))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("--x\r\nnot a part")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(415);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void adminApiBodiesOfEveryWrongShapeNeverGetA5xxAndAlwaysAProblemDocument() {
        String serverId = admin.createHttpServer(unique("fuzz-target"), "streamable-http", "http://127.0.0.1:9/mcp");
        List<String> failures = new ArrayList<>();
        adminCalls(serverId).sampleStream().limit(ADMIN_BODIES).forEach(call -> {
            AdminClient.Answer a = admin.send(call.method(), call.path(), call.body());
            if (a.status() >= 500) {
                failures.add("HTTP " + a.status() + " for " + call + ": " + a.text());
            } else if (a.status() >= 400 && !String.valueOf(a.contentType()).startsWith("application/problem+json")) {
                failures.add("HTTP " + a.status() + " as " + a.contentType() + " for " + call + ": " + a.text());
            }
        });
        assertThat(failures).isEmpty();
        stillServing();
    }
}
