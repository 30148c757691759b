package gatehouse.catalog.health;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.gateway.upstream.ServerHealthChecks;
import gatehouse.platform.Json;
import gatehouse.testing.GatewayTestSupport;
import tools.jackson.databind.JsonNode;

/**
 * Server health as an administrator sees it: a stdio command that does not exist and a URL where
 * nothing listens are accepted, show as failing with a reason in {@code GET /servers}, in the
 * gateway's servers and warnings, and raise an alert naming them; when the server comes up, health
 * turns ok with a last contact and the alert is resolved. The checks run on demand here
 * ({@link ServerHealthChecks#checkAll()}, {@link ServerHealthChecks#checkNow}) instead of waiting for their schedule.
 */
class ServerHealthTest extends GatewayTestSupport {
    @Autowired ServerHealthChecks checks;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private JsonNode server(String id) {
        return admin.expect(200, "GET", "/servers/" + id, null);
    }

    private List<JsonNode> alertsAbout(String serverName) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : admin.expect(200, "GET", "/alerts?type=" + ServerHealthBoard.ALERT_TYPE, null)) {
            if (a.path("subject").asString().equals("server " + serverName)) {
                out.add(a);
            }
        }
        return out;
    }

    @Test
    void aStdioCommandThatDoesNotExistIsAcceptedAndShownAsFailing() {
        String name = unique("no-such-command");
        JsonNode created = admin.expect(201, "POST", "/servers",
                Map.of("name", name, "transport", "stdio", "command", List.of("gatehouse-test-no-such-command-xyz", "--stdio")));
        String id = created.path("id").asString();
        assertThat(created.path("health").path("state").asString()).isEqualTo("failing");
        assertThat(created.path("health").path("reason").asString())
                .contains("could not run 'gatehouse-test-no-such-command-xyz'", "no such file").doesNotContain("--stdio");
        assertThat(created.path("health").path("since").asString()).isNotBlank();
        assertThat(created.path("health").has("lastContactAt")).isFalse();

        String gw = admin.createGateway(unique("health-gw"));
        admin.assign(gw, id, "broken");
        JsonNode gateway = admin.expect(200, "GET", "/gateways/" + gw, null);
        assertThat(gateway.path("servers").get(0).path("health").path("state").asString()).isEqualTo("failing");
        assertThat(gateway.path("warnings").toString()).contains(ServerHealthBoard.ALERT_TYPE, name, "could not run");

        List<JsonNode> alerts = alertsAbout(name);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.getFirst().path("state").asString()).isEqualTo("open");
        assertThat(alerts.getFirst().path("message").asString()).contains(name, "unreachable");

        // fixed by changing the definition: the new command is checked at once, the old alert is moot
        List<String> good = ConformanceFixtureMain.stdioCommand();
        JsonNode fixed = admin.expect(200, "PATCH", "/servers/" + id, Map.of("command", good));
        await().atMost(Duration.ofSeconds(60)).until(() -> server(id).path("health").path("state").asString().equals("ok"));
        assertThat(fixed.path("health").path("state").asString()).isIn("ok", "starting");
        assertThat(server(id).path("health").path("lastContactAt").asString()).isNotBlank();
        assertThat(alertsAbout(name)).allSatisfy(a -> assertThat(a.path("state").asString()).isEqualTo("resolved"));
    }

    @Test
    void aUrlWhereNothingListensIsFailingUntilTheServerComesUpAndFailingAgainWhenItGoesAway() throws Exception {
        int port = freePort();
        String name = unique("nothing-listens");
        String url = "http://127.0.0.1:" + port + "/mcp";
        JsonNode created = admin.expect(201, "POST", "/servers", Map.of("name", name, "transport", "streamable-http", "url", url));
        String id = created.path("id").asString();
        assertThat(created.path("health").path("state").asString()).isEqualTo("failing");
        assertThat(created.path("health").path("reason").asString()).contains("cannot reach http://127.0.0.1:" + port, "connection refused");
        String gw = admin.createGateway(unique("health-http-gw"));
        admin.assign(gw, id, "later");

        assertThat(admin.expect(200, "GET", "/servers", null).toString()).contains(id);
        assertThat(alertsAbout(name)).singleElement().satisfies(a -> assertThat(a.path("state").asString()).isEqualTo("open"));
        String failingSince = server(id).path("health").path("since").asString();
        checks.checkAll();
        assertThat(server(id).path("health").path("since").asString()).as("still failing since the first failure").isEqualTo(failingSince);
        assertThat(alertsAbout(name)).as("one alert while it stays down").hasSize(1);

        try (RunningFixture fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, port)) {
            assertThat(fixture.url().toString()).isEqualTo(url);
            checks.checkAll();
            JsonNode up = server(id).path("health");
            assertThat(up.path("state").asString()).isEqualTo("ok");
            assertThat(up.has("reason")).isFalse();
            assertThat(up.path("lastContactAt").asString()).isNotBlank();
            assertThat(alertsAbout(name)).singleElement().satisfies(a -> assertThat(a.path("state").asString()).isEqualTo("resolved"));
            assertThat(admin.expect(200, "GET", "/gateways/" + gw, null).path("warnings").toString()).doesNotContain(ServerHealthBoard.ALERT_TYPE);
        }

        // gone again: the next check notices (called directly: the schedule skips servers heard from within its interval)
        JsonNode down = Json.MAPPER.valueToTree(checks.checkNow(catalog.server(id), true, Duration.ofSeconds(10)));
        assertThat(down.path("state").asString()).isEqualTo("FAILING");
        assertThat(server(id).path("health").path("state").asString()).isEqualTo("failing");
        assertThat(server(id).path("health").path("lastContactAt").asString()).as("the last contact is remembered").isNotBlank();
        assertThat(alertsAbout(name)).filteredOn(a -> a.path("state").asString().equals("open")).hasSize(1);
    }
}
