package gatehouse.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.OtlpReceiver;
import tools.jackson.databind.JsonNode;

/**
 * OpenTelemetry export switched on, changed and off through the admin API, with no OTEL_* variable
 * set: a real OTLP receiver decodes the spans of calls made through a real upstream (the
 * conformance fixture), with the header the settings name; the header's value is never answered
 * and is sealed in the database.
 */
class TelemetrySettingsTest extends GatewayTestSupport {
    @Autowired
    Tracing tracing;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void exportIsSetChangedAndRemovedThroughTheAdminApi() throws Exception {
        JsonNode off = admin.expect(200, "GET", "/telemetry", null);
        assertThat(off.path("source").asString()).isEqualTo("off");
        assertThat(off.path("exporting").asBoolean()).isFalse();

        assertThat(admin.send("PUT", "/telemetry", Map.of("endpoint", "ftp://collector")).status()).isEqualTo(400);
        assertThat(admin.send("PUT", "/telemetry", Map.of("endpoint", "http://collector:4318", "protocol", "carrier-pigeon"))
                .body().toString()).contains("protocol");
        assertThat(admin.send("PUT", "/telemetry", Map.of("endpoint", "http://collector:4318", "headers", Map.of("bad name", "x")))
                .status()).isEqualTo(400);

        try (RunningFixture fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
             OtlpReceiver first = new OtlpReceiver(); OtlpReceiver second = new OtlpReceiver()) {
            String server = admin.createHttpServer(unique("otel-up"), "streamable-http", fixture.url().toString());
            String gw = admin.createGateway(unique("otel"));
            admin.assign(gw, server, "o");
            AdminClient.Connection conn = admin.connect(gw);

            JsonNode set = admin.expect(200, "PUT", "/telemetry", Map.of("endpoint", first.endpoint(),
                    "headers", Map.of("Authorization", "Bearer otlp+s3cret/=="), "serviceName", "gatehouse-test"));
            assertThat(set.path("source").asString()).isEqualTo("admin API");
            assertThat(set.path("exporting").asBoolean()).isTrue();
            assertThat(set.path("headers").toString()).isEqualTo("[\"Authorization\"]");
            assertThat(set.toString()).doesNotContain("s3cret");
            assertThat(admin.expect(200, "GET", "/telemetry", null).toString()).doesNotContain("s3cret");
            assertThat(jdbc.queryForObject("SELECT headers FROM telemetry_settings", String.class)).as("sealed at rest")
                    .doesNotContain("s3cret");

            call(conn);
            tracing.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> first.spans().stream().anyMatch(s -> s.getName().contains("o__test_simple_text")));
            assertThat(first.authorizations()).as("the header as written").contains("Bearer otlp+s3cret/==");

            // changed: the next calls go to the new receiver only
            admin.expect(200, "PUT", "/telemetry", Map.of("endpoint", second.endpoint()));
            int before = first.spans().size();
            call(conn);
            tracing.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> second.spans().stream().anyMatch(s -> s.getName().contains("o__test_simple_text")));
            assertThat(second.authorizations()).containsOnly("null");

            // removed: back to the environment's settings, which switch nothing on here
            JsonNode removed = admin.expect(200, "DELETE", "/telemetry", null);
            assertThat(removed.path("source").asString()).isEqualTo("off");
            assertThat(removed.path("exporting").asBoolean()).isFalse();
            int sent = second.spans().size();
            call(conn);
            tracing.flush();
            assertThat(second.spans()).as("nothing exported once removed").hasSize(sent);
            assertThat(first.spans().size()).as("the first receiver heard nothing after the change").isEqualTo(before);
        }
    }

    private void call(AdminClient.Connection conn) {
        McpTestClient c = client(conn);
        c.initialize(McpTestClient.capabilities());
        assertThat(c.callTool("o__test_simple_text", Json.object()).status()).isEqualTo(200);
    }

    @Test
    void anUnknownTokenIsRefused() {
        assertThat(new AdminClient(baseUrl(), "not-a-token").send("GET", "/telemetry", null).status()).isEqualTo(401);
        assertThat(new AdminClient(baseUrl(), "not-a-token").send("PUT", "/telemetry", Map.of("endpoint", "http://x:4318")).status())
                .isEqualTo(401);
    }
}
