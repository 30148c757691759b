package gatehouse.catalog.health;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.alerts.AlertService;
import gatehouse.catalog.ServerDef;
import gatehouse.testing.GatewayTestSupport;
import tools.jackson.databind.JsonNode;

/**
 * The {@value ServerHealthBoard#MISBEHAVING} alert: one per server, naming every kind of
 * misbehaviour seen and the latest case; a flood of the same kind updates it at most once a minute,
 * a new kind at once. (The misbehaviour itself, caused by a hostile server behind the real gateway,
 * is in {@code HostileUpstreamsThroughGatewayTest}.)
 */
class ServerMisbehaviourAlertTest extends GatewayTestSupport {
    @Autowired AlertService alerts;

    /** A clock the test moves by hand. */
    private static final class Hand extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private List<JsonNode> alertsAbout(String serverName) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : admin.expect(200, "GET", "/alerts?type=" + ServerHealthBoard.MISBEHAVING, null)) {
            if (a.path("subject").asString().equals("server " + serverName)) {
                out.add(a);
            }
        }
        return out;
    }

    @Test
    void oneAlertPerServerNamesEveryKindAndAFloodUpdatesItAtMostOnceAMinute() {
        String name = unique("misbehaving");
        String id = admin.createHttpServer(name, "streamable-http", "http://127.0.0.1:9/mcp");
        ServerDef server = catalog.snapshot().servers().get(id);
        Hand clock = new Hand();
        ServerHealthBoard board = new ServerHealthBoard(alerts, clock);

        board.misbehaved(server, "malformed", "tools/call: upstream sent malformed JSON");
        assertThat(alertsAbout(name)).singleElement().satisfies(a -> {
            assertThat(a.path("state").asString()).isEqualTo("open");
            assertThat(a.path("message").asString()).contains("(malformed)").contains("sent malformed JSON");
            assertThat(a.path("details").path("kinds").toString()).isEqualTo("[\"malformed\"]");
        });

        // The same kind again within the minute: nothing is written.
        board.misbehaved(server, "malformed", "tools/call: second case");
        assertThat(alertsAbout(name).getFirst().path("details").path("latest").asString()).isEqualTo("tools/call: upstream sent malformed JSON");

        // A new kind: at once, on the same alert.
        board.misbehaved(server, "silence", "tools/call: no answer within 30s");
        assertThat(alertsAbout(name)).singleElement().satisfies(a -> {
            assertThat(a.path("details").path("kinds").toString()).isEqualTo("[\"malformed\",\"silence\"]");
            assertThat(a.path("message").asString()).contains("(malformed, silence)").contains("no answer within 30s");
        });

        // A minute later the same kind updates the latest case again.
        clock.now = clock.now.plus(ServerHealthBoard.MISBEHAVIOUR_QUIET).plus(Duration.ofSeconds(1));
        board.misbehaved(server, "malformed", "tools/call: third case");
        assertThat(alertsAbout(name)).singleElement()
                .satisfies(a -> assertThat(a.path("details").path("latest").asString()).isEqualTo("tools/call: third case"));
    }
}
