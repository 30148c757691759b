package gatehouse.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.health.ServerHealth;
import gatehouse.gateway.upstream.ServerHealthChecks;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;

/**
 * {@code /metrics}: closed without a token, open to an admin token, and counting exactly the MCP
 * calls made through a real upstream (the conformance fixture over Streamable HTTP); the upstream's
 * gauge follows its health when the fixture is stopped.
 */
class MetricsTest extends GatewayTestSupport {
    @Autowired
    ServerHealthChecks healthChecks;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private HttpResponse<String> metrics(String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + "/metrics"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsNeedATokenAndCountTheCallsMade() throws Exception {
        assertThat(metrics(null).statusCode()).isEqualTo(401);
        assertThat(metrics("not-a-token").statusCode()).isEqualTo(401);

        String stopped;
        try (RunningFixture fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0)) {
            String server = admin.createHttpServer(unique("metrics-up"), "streamable-http", fixture.url().toString());
            String gw = admin.createGateway(unique("metrics"));
            admin.assign(gw, server, "m");
            AdminClient.Connection conn = admin.connect(gw);
            McpTestClient c = client(conn);
            c.initialize(McpTestClient.capabilities());
            int calls = 5;
            for (int i = 0; i < calls; i++) {
                assertThat(c.callTool("m__test_simple_text", Json.object()).status()).isEqualTo(200);
            }
            assertThat(c.callTool("m__no_such_tool", Json.object()).error()).isNotNull();
            awaitLogs("gateway=" + gw + "&method=tools/call", calls + 1);

            HttpResponse<String> m = metrics(ADMIN_TOKEN);
            assertThat(m.statusCode()).isEqualTo(200);
            String text = m.body();
            assertThat(sum(text, "gatehouse_mcp_calls_total", gw, "tool=\"m__test_simple_text\"", "status=\"ok\""))
                    .as(text.lines().filter(l -> l.startsWith("gatehouse_mcp_calls")).toList().toString()).isEqualTo(calls);
            assertThat(sum(text, "gatehouse_mcp_duration_seconds_count", gw, "tool=\"m__test_simple_text\"")).isEqualTo(calls);
            assertThat(sum(text, "gatehouse_mcp_errors_total", gw, "method=\"tools/call\"")).isEqualTo(1);
            assertThat(sum(text, "gatehouse_mcp_tokens_total", gw, "direction=\"output\"")).isPositive();
            // every record above is written (awaitLogs), nothing is spooled or lost
            assertThat(text).containsPattern("(?m)^gatehouse_audit_queue_depth \\d").containsPattern("(?m)^gatehouse_audit_spool_bytes 0\\.0$")
                    .containsPattern("(?m)^gatehouse_audit_dropped_total 0\\.0$");
            assertThat(text).contains("gatehouse_mcp_duration_seconds_bucket").contains("gatehouse_sessions_active")
                    .containsPattern("gatehouse_upstream_up\\{server=\"" + server + "\"} 1");
            // a name no server has is never a label value: clients cannot grow the registry with made-up names
            assertThat(text).doesNotContain("no_such_tool");
            stopped = server;
        }
        // the upstream is gone: the health check that notices it, not a call, turns its gauge to 0
        ServerDef def = catalog.snapshot().servers().get(stopped);
        assertThat(healthChecks.checkNow(def, true, Duration.ofSeconds(60)).state()).isEqualTo(ServerHealth.State.FAILING);
        assertThat(metrics(ADMIN_TOKEN).body()).containsPattern("gatehouse_upstream_up\\{server=\"" + stopped + "\"} 0");
    }

    /** The sum of the samples of {@code metric} whose labels name the gateway and contain every fragment. */
    static double sum(String text, String metric, String gateway, String... fragments) {
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
