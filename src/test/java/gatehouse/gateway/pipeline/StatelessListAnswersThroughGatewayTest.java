package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A merged list for stateless (2026-07-28) clients is decorated and shaped once and shared by every
 * request that merged the same parts: each answer carries its own id, the caching hints and the
 * gateway's name, a retry's answer (declared stale at once) neither uses nor changes the shared one,
 * and 2025 sessions on the same gateway keep their own, undecorated answers.
 */
class StatelessListAnswersThroughGatewayTest extends GatewayTestSupport {
    private RunningFixture fixture;
    private String gateway;

    @BeforeAll
    void setUp() throws Exception {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        String server = admin.createHttpServer(unique("stateless-lists-fixture"), "streamable-http", fixture.url().toString());
        gateway = admin.createGateway(unique("stateless-lists-gw"));
        admin.assign(gateway, server, "fx");
    }

    @AfterAll
    void tearDown() {
        fixture.close();
    }

    /** A stateless tools/list; {@code extra} goes into its params (a retry's {@code requestState}). */
    private static McpTestClient.Result statelessList(McpTestClient c, Map<String, String> extra) {
        ObjectNode params = Json.object();
        extra.forEach(params::put);
        ObjectNode meta = params.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
        meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, Json.object());
        ObjectNode request = c.request("tools/list", params);
        McpTestClient.Result r = c.send(request, Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/list"));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        assertThat(r.streamed()).as(r.body()).isFalse();
        assertThat(r.response().path("id").asLong()).as("the answer carries its own request's id: %s", r.body()).isEqualTo(request.get("id").asLong());
        return r;
    }

    @Test
    void aSharedStatelessListCarriesItsHintsEveryTimeAndARetryNeitherUsesNorChangesIt() {
        McpTestClient one = client(admin.connect(gateway));
        McpTestClient other = client(admin.connect(gateway));

        // a retry is declared stale at once: its answer is its own, first or later
        McpTestClient.Result early = statelessList(one, Map.of("requestState", "opaque-state"));
        assertThat(early.result().path("ttlMs").asLong(-1)).as(early.body()).isEqualTo(0L);

        McpTestClient.Result first = statelessList(one, Map.of());
        JsonNode result = first.result();
        assertThat(result.path("tools").size()).as(first.body()).isGreaterThan(0);
        assertThat(result.path("tools").valueStream().map(t -> t.path("name").asString())).as(first.body())
                .allMatch(n -> n.startsWith("fx__"));
        assertThat(result.path("resultType").asString()).as(first.body()).isEqualTo("complete");
        assertThat(result.path("ttlMs").asLong(-1)).as(first.body()).isEqualTo(30_000L);
        assertThat(result.path("cacheScope").asString()).as(first.body()).isEqualTo("private");
        assertThat(result.path("_meta").path(StatelessEnvelope.SERVER_INFO).path("name").asString()).as(first.body())
                .isEqualTo("gatehouse");

        McpTestClient.Result retry = statelessList(one, Map.of("requestState", "opaque-state"));
        assertThat(retry.result().path("ttlMs").asLong(-1)).as(retry.body()).isEqualTo(0L);
        assertThat(retry.result().path("tools")).isEqualTo(result.path("tools"));
        assertThat(early.result()).isEqualTo(retry.result());

        // later answers, on this connection and another, are the first one with their own ids
        for (McpTestClient c : new McpTestClient[] {one, other, one}) {
            McpTestClient.Result again = statelessList(c, Map.of());
            assertThat(again.result()).as(again.body()).isEqualTo(result);
            // exactly one of each member: nothing appended to a text written before
            assertThat(again.body().split("\"ttlMs\"", -1)).as(again.body()).hasSize(2);
            assertThat(again.body().split("\"resultType\"", -1)).as(again.body()).hasSize(2);
        }

        // a 2025 session on the same gateway gets the list undecorated
        McpTestClient session = client(admin.connect(gateway));
        assertThat(session.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            McpTestClient.Result listed = session.call("tools/list", Json.object());
            assertThat(listed.result().path("tools")).as(listed.body()).isEqualTo(result.path("tools"));
            assertThat(listed.result().has("ttlMs")).as(listed.body()).isFalse();
            assertThat(listed.result().has("resultType")).as(listed.body()).isFalse();
            assertThat(listed.result().has("_meta")).as(listed.body()).isFalse();
        }
        McpTestClient.Result after = statelessList(other, Map.of());
        assertThat(after.result()).as(after.body()).isEqualTo(result);
    }
}
