package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Content rules and trace context through the real gateway for stateless 2026-07-28 clients, in
 * front of the conformance fixture over Streamable HTTP: a request redacted before the upstream
 * sees it, a request blocked with the non-leaking error, a result rewritten; and the client's W3C
 * {@code traceparent} reaching the HTTP upstream (OpenTelemetry is off in this context, so the
 * gateway passes the client's context on unchanged), in both generations; an alert-only DLP
 * webhook rule that changes nothing and whose decision still reaches the log record.
 */
class StatelessRulesAndTraceThroughGatewayTest extends GatewayTestSupport {
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private RunningFixture fixture;
    private String gateway;

    @BeforeAll
    void setUp() throws Exception {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        String server = admin.createHttpServer(unique("stateless-rules-fixture"), "streamable-http", fixture.url().toString());
        gateway = admin.createGateway(unique("stateless-rules-gw"));
        admin.assign(gateway, server, "fx");
        rule(Map.of("name", "codes-in", "type", "regex", "patterns", List.of("client-secret-[0-9]+"), "action", "replace",
                "direction", "request"));
        rule(Map.of("name", "forbidden-in", "type", "regex", "patterns", List.of("forbidden-[0-9]+"), "action", "block", "direction", "request"));
        rule(Map.of("name", "simple-out", "type", "regex", "patterns", List.of("simple text"), "action", "replace", "replacement", "[removed]",
                "direction", "response"));
    }

    @AfterAll
    void tearDown() {
        fixture.close();
    }

    private void rule(Map<String, Object> body) {
        AdminClient.Answer a = admin.send("POST", "/gateways/" + gateway + "/rules", body);
        assertThat(a.status()).as("%s", a.body()).isEqualTo(201);
    }

    /** A stateless tools/call: protocol version and capabilities in {@code _meta}, the mirrored headers. */
    private McpTestClient.Result statelessCall(McpTestClient c, String tool, ObjectNode arguments, Map<String, String> extra) {
        ObjectNode params = Json.object();
        params.put("name", tool);
        params.set("arguments", arguments);
        ObjectNode meta = params.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
        meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, Json.object());
        Map<String, String> headers = new HashMap<>(Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", tool));
        headers.putAll(extra);
        McpTestClient.Result r = c.send(c.request("tools/call", params), headers);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        return r;
    }

    private McpTestClient stateless() {
        return client(admin.connect(gateway));
    }

    private static JsonNode echo(McpTestClient.Result r) {
        return Json.tree(r.result().path("content").get(0).path("text").asString());
    }

    @Test
    void aStatelessRequestIsRedactedBeforeTheUpstreamSeesIt() {
        ObjectNode args = Json.object();
        args.put("note", "use client-secret-777 please");
        JsonNode echo = echo(statelessCall(stateless(), "fx__test_echo_request", args, Map.of()));
        assertThat(echo.path("arguments").path("note").asString()).isEqualTo("use <REGEX> please");
        assertThat(echo.path("raw").asString()).doesNotContain("client-secret-777");
    }

    @Test
    void aStatelessRequestIsBlockedWithANonLeakingError() {
        ObjectNode args = Json.object();
        args.putObject("nested").put("deep", "this is forbidden-99");
        McpTestClient.Result r = statelessCall(stateless(), "fx__test_echo_request", args, Map.of());
        assertThat(r.error().path("code").asInt()).isEqualTo(RulesStep.BLOCKED_CODE);
        assertThat(r.body()).doesNotContain("forbidden-99").doesNotContain("forbidden-in");
    }

    @Test
    void aStatelessResultIsRewrittenBeforeTheClientSeesIt() {
        McpTestClient.Result r = statelessCall(stateless(), "fx__test_simple_text", Json.object(), Map.of());
        assertThat(r.result().path("content").get(0).path("text").asString()).isEqualTo("This is a [removed] response for testing.");
    }

    @Test
    void anAlertOnlyWebhookRuleChangesNothingAndItsDecisionReachesTheLogRecord() throws Exception {
        // a DLP service on loopback that asks to redact every ACME-<4 digits> code
        HttpServer dlp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        dlp.createContext("/", ex -> {
            JsonNode req = Json.tree(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ObjectNode out = Json.object();
            var reds = out.putArray("redactions");
            int i = 0;
            for (JsonNode t : req.get("texts")) {
                Matcher m = Pattern.compile("ACME-\\d{4}").matcher(t.stringValue());
                while (m.find()) {
                    reds.addObject().put("index", i).put("start", m.start()).put("end", m.end()).put("entity", "PROJECT_CODE");
                }
                i++;
            }
            out.put("verdict", reds.isEmpty() ? "allow" : "redact");
            byte[] body = Json.string(out).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        dlp.start();
        try {
            String server = admin.createHttpServer(unique("alert-only-fixture"), "streamable-http", fixture.url().toString());
            String watched = admin.createGateway(unique("alert-only-gw"));
            admin.assign(watched, server, "fx");
            AdminClient.Answer a = admin.send("POST", "/gateways/" + watched + "/rules", Map.of("name", "dlp-watch", "type", "webhook",
                    "url", "http://127.0.0.1:" + dlp.getAddress().getPort() + "/", "action", "redact", "direction", "request",
                    "mode", "alert-only"));
            assertThat(a.status()).as("%s", a.body()).isEqualTo(201);
            McpTestClient c = client(admin.connect(watched));
            c.initialize(McpTestClient.capabilities());
            ObjectNode args = Json.object();
            args.put("note", "project ACME-1234 is late");
            JsonNode echo = echo(c.callTool("fx__test_echo_request", args));
            assertThat(echo.path("arguments").path("note").asString()).isEqualTo("project ACME-1234 is late");

            ObjectNode record = awaitLogs("gateway=" + watched + "&method=tools/call", 1).getFirst();
            String decisions = record.path("decisions").toString();
            assertThat(decisions).contains("\"step\":\"rules\"").contains("PROJECT_CODE").contains("alert-only").contains("dlp-watch")
                    .doesNotContain("ACME-1234");
        } finally {
            dlp.stop(0);
        }
    }

    @Test
    void theClientsTraceparentReachesTheHttpUpstreamInBothGenerations() {
        ObjectNode args = Json.object();
        args.put("note", "trace me");
        JsonNode stateless = echo(statelessCall(stateless(), "fx__test_echo_request", args, Map.of("traceparent", TRACEPARENT)));
        assertThat(stateless.path("traceparent").asString()).isEqualTo(TRACEPARENT);

        McpTestClient session = client(admin.connect(gateway));
        session.initialize(McpTestClient.capabilities());
        ObjectNode params = Json.object();
        params.put("name", "fx__test_echo_request");
        params.set("arguments", args);
        McpTestClient.Result r = session.send(session.request("tools/call", params), Map.of("traceparent", TRACEPARENT));
        assertThat(echo(r).path("traceparent").asString()).isEqualTo(TRACEPARENT);

        // without one, nothing is invented while OpenTelemetry is off
        McpTestClient.Result plain = session.callTool("fx__test_echo_request", args);
        assertThat(echo(plain).path("traceparent").asString()).isEmpty();
    }
}
