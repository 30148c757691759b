package gatehouse.e2e;

import static gatehouse.testing.OtlpReceiver.attr;
import static gatehouse.testing.OtlpReceiver.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.OtlpReceiver;
import io.opentelemetry.proto.trace.v1.Span;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Issue 11's check through the real jar: two connections call tools of an HTTP upstream (the Java
 * conformance fixture), log filters return exactly each connection's records, a CSV export lists
 * them, an OTLP receiver on loopback (the jar configured only by {@code OTEL_*} variables) gets
 * live spans that continue the client's W3C trace and whose upstream span's context reached the
 * upstream as {@code traceparent}, log records in the same trace, and {@code /metrics} counts the calls.
 */
class ObservabilityE2ETest {
    private static final String CLIENT_TRACE = "5c1e0f1b2d3a4e5f60718293a4b5c6d7";
    private static final String CLIENT_SPAN = "1a2b3c4d5e6f7081";

    @Test
    void twoConnectionsCallsFiltersCsvOtlpAndMetrics() throws Exception {
        Path dir = GatehouseJar.workDir("ObservabilityE2ETest");
        try (OtlpReceiver receiver = new OtlpReceiver();
             RunningFixture fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
             GatehouseJar jar = GatehouseJar.start(dir, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                     "OTEL_BSP_SCHEDULE_DELAY", "200", "OTEL_BLRP_SCHEDULE_DELAY", "200", "OTEL_SERVICE_NAME", "gatehouse-e2e"))) {
            String server = jar.createHttpServer("fixture", fixture.url().toString());
            String gateway = jar.createGateway("observed");
            jar.assign(gateway, server, "fx");
            AdminClient.Connection a = jar.connect(gateway, "e2e-obs-a");
            AdminClient.Connection b = jar.connect(gateway, "e2e-obs-b");
            McpTestClient ca = new McpTestClient(URI.create(jar.baseUrl() + "/gateway/v1/mcp?gateway=" + gateway), a.token());
            McpTestClient cb = new McpTestClient(URI.create(jar.baseUrl() + "/gateway/v1/mcp?gateway=" + gateway), b.token());
            assertThat(ca.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            assertThat(cb.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);

            for (int i = 0; i < 3; i++) {
                assertThat(ca.callTool("fx__test_simple_text", Json.object()).result()).isNotNull();
            }
            ObjectNode params = Json.object();
            params.put("name", "fx__test_echo_request");
            params.putObject("arguments").put("note", "traced");
            String clientParent = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";
            McpTestClient.Result traced = ca.send(ca.request("tools/call", params), Map.of("traceparent", clientParent));
            JsonNode echo = Json.tree(traced.result().path("content").get(0).path("text").asString());
            for (int i = 0; i < 2; i++) {
                assertThat(cb.callTool("fx__test_simple_text", Json.object()).result()).isNotNull();
            }
            assertThat(cb.callTool("fx__no_such_tool", Json.object()).error()).isNotNull();

            // filters: each connection's calls, exactly
            AdminClient admin = jar.admin();
            await().atMost(Duration.ofSeconds(120)).until(() -> admin.logs("gateway=" + gateway + "&method=tools/call").size() == 7);
            List<ObjectNode> ofA = admin.logs("connection=" + a.id() + "&method=tools/call");
            List<ObjectNode> ofB = admin.logs("connection=" + b.id() + "&method=tools/call");
            assertThat(ofA).hasSize(4).allSatisfy(r -> assertThat(r.path("connectionId").asString()).isEqualTo(a.id()));
            assertThat(ofB).hasSize(3).allSatisfy(r -> assertThat(r.path("connectionId").asString()).isEqualTo(b.id()));
            assertThat(admin.logs("connection=" + b.id() + "&method=tools/call&status=ok")).hasSize(2);
            assertThat(admin.logs("gateway=" + gateway + "&tool=fx__test_simple_text")).hasSize(5);
            List<ObjectNode> echoRecord = admin.logs("connection=" + a.id() + "&tool=fx__test_echo_request");
            assertThat(echoRecord).singleElement().satisfies(r -> assertThat(r.path("traceId").asString()).isEqualTo(CLIENT_TRACE));

            // CSV export of one connection's calls: a header and one line per call
            AdminClient.Answer csv = admin.raw("GET", "/api/v1/logs?connection=" + a.id() + "&method=tools/call&format=csv", null);
            assertThat(csv.status()).isEqualTo(200);
            List<String> lines = csv.text().lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).hasSize(5);
            assertThat(lines.subList(1, 5)).allSatisfy(l -> assertThat(l).contains(a.id()));
            assertThat(lines.stream().filter(l -> l.contains("fx__test_simple_text"))).hasSize(3);

            // OTLP: the traced call's server span continues the client's trace; its client span's context reached the upstream
            await().atMost(Duration.ofSeconds(120)).until(() -> receiver.spans().stream()
                    .anyMatch(s -> s.getName().equals("tools/call fx__test_echo_request") && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                    && receiver.logs().stream().anyMatch(l -> "fx__test_echo_request".equals(attr(l.getAttributesList(), "gen_ai.tool.name"))));
            Span serverSpan = receiver.spans().stream()
                    .filter(s -> s.getName().equals("tools/call fx__test_echo_request") && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                    .findFirst().orElseThrow();
            assertThat(hex(serverSpan.getTraceId())).isEqualTo(CLIENT_TRACE);
            assertThat(hex(serverSpan.getParentSpanId())).isEqualTo(CLIENT_SPAN);
            assertThat(attr(serverSpan.getAttributesList(), "gen_ai.tool.name")).isEqualTo("fx__test_echo_request");
            assertThat(attr(serverSpan.getAttributesList(), "gatehouse.connection.id")).isEqualTo(a.id());
            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.spans().stream()
                    .anyMatch(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT && s.getParentSpanId().equals(serverSpan.getSpanId())));
            Span upstreamSpan = receiver.spans().stream()
                    .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT && s.getParentSpanId().equals(serverSpan.getSpanId()))
                    .findFirst().orElseThrow();
            assertThat(echo.path("traceparent").asString()).isEqualTo("00-" + CLIENT_TRACE + "-" + hex(upstreamSpan.getSpanId()) + "-01");
            assertThat(receiver.logs()).filteredOn(l -> "fx__test_echo_request".equals(attr(l.getAttributesList(), "gen_ai.tool.name")))
                    .singleElement().satisfies(l -> {
                        assertThat(hex(l.getTraceId())).isEqualTo(CLIENT_TRACE);
                        assertThat(hex(l.getSpanId())).isEqualTo(hex(serverSpan.getSpanId()));
                    });
            assertThat(receiver.spans()).filteredOn(s -> s.getName().equals("tools/call fx__test_simple_text")
                    && s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).hasSizeGreaterThanOrEqualTo(1);

            // /metrics counts the calls (an admin token may scrape)
            AdminClient.Answer metrics = admin.raw("GET", "/metrics", null);
            assertThat(metrics.status()).isEqualTo(200);
            String text = metrics.text();
            assertThat(sum(text, "gatehouse_mcp_calls_total", gateway, "tool=\"fx__test_simple_text\"", "status=\"ok\"")).isEqualTo(5);
            assertThat(sum(text, "gatehouse_mcp_calls_total", gateway, "tool=\"fx__test_echo_request\"")).isEqualTo(1);
            assertThat(sum(text, "gatehouse_mcp_errors_total", gateway, "method=\"tools/call\"")).isEqualTo(1);
            assertThat(text).doesNotContain("no_such_tool");
            assertThat(jar.admin().withToken(null).raw("GET", "/metrics", null).status()).isEqualTo(401);
        }
    }

    /** The sum of the samples of {@code metric} whose labels name the gateway and contain every fragment. */
    private static double sum(String text, String metric, String gateway, String... fragments) {
        double total = 0;
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{([^}]*)} (\\S+)$").matcher(text);
        while (m.find()) {
            String labels = m.group(1);
            boolean match = labels.contains("gateway=\"" + gateway + "\"");
            for (String f : fragments) {
                match &= labels.contains(f);
            }
            if (match) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }
}
