package gatehouse.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.node.ObjectNode;

/**
 * A 2025-11-25 session hears on its GET stream that the lists changed when an administrator changes
 * what its gateway exposes (assigns a server, gives it another prefix, removes it), as stateless
 * listeners do on their subscriptions/listen streams; sessions of other gateways hear nothing.
 */
class GatewayViewChangeTest extends GatewayTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<String> EVERY_LIST = List.of("notifications/tools/list_changed",
            "notifications/prompts/list_changed", "notifications/resources/list_changed");

    private RunningFixture fixture;

    @BeforeAll
    void upstream() {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void aSessionHearsListChangesWhenItsGatewaysAssignmentsChangeAndOnlyThen() {
        String server = admin.createHttpServer(unique("view-change"), "streamable-http", fixture.url().toString());
        String mine = admin.createGateway(unique("view-mine"));
        String other = admin.createGateway(unique("view-other"));
        try (McpTestClient a = client(admin.connect(mine)); McpTestClient b = client(admin.connect(other))) {
            assertThat(a.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            assertThat(b.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            assertThat(names(a)).isEmpty();
            try (McpTestClient.EventStream aStream = a.openStream(); McpTestClient.EventStream bStream = b.openStream()) {
                assertThat(aStream.status()).isEqualTo(200);
                assertThat(bStream.status()).isEqualTo(200);

                admin.assign(mine, server, "v");
                assertThat(untilEveryList(aStream)).containsAll(EVERY_LIST);
                assertThat(names(a)).as("the list the notification announced").contains("v__test_simple_text");

                // A new prefix renames every tool, prompt and resource while the features stay
                // the same (so provisioning has nothing to announce): the session must hear it.
                admin.assign(mine, server, "x");
                assertThat(untilEveryList(aStream)).containsAll(EVERY_LIST);
                assertThat(names(a)).contains("x__test_simple_text").doesNotContain("v__test_simple_text");

                assertThat(admin.send("DELETE", "/gateways/" + mine + "/servers/" + server, null).status()).isEqualTo(204);
                assertThat(untilEveryList(aStream)).containsAll(EVERY_LIST);
                assertThat(names(a)).isEmpty();

                // Both changes were another gateway's: the other session heard nothing of them.
                ObjectNode leaked = bStream.poll(Duration.ofMillis(500));
                assertThat(leaked).as("the other gateway's session heard: %s", leaked).isNull();
                admin.assign(other, server, "w");
                assertThat(untilEveryList(bStream)).containsAll(EVERY_LIST);
            }
        }
    }

    /**
     * Events until every list was announced (provisioning may add its own tools/list_changed when it
     * looks at the new server's tools, so more than three can come).
     */
    private static List<String> untilEveryList(McpTestClient.EventStream stream) {
        List<String> methods = new ArrayList<>();
        while (!methods.containsAll(EVERY_LIST)) {
            ObjectNode m = stream.poll(WAIT);
            assertThat(m).as("the next event after %s", methods).isNotNull();
            methods.add(JsonRpc.method(m));
        }
        return methods;
    }

    private static List<String> names(McpTestClient c) {
        McpTestClient.Result r = c.call("tools/list", Json.object());
        assertThat(r.status()).isEqualTo(200);
        return r.result().path("tools").valueStream().map(t -> t.path("name").asString()).toList();
    }
}
