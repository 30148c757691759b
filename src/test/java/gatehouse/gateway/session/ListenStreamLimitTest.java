package gatehouse.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.node.ObjectNode;

/**
 * One token cannot hold an unbounded number of {@code subscriptions/listen} streams (each holds a
 * request, a socket and upstream subscriptions): past {@code gatehouse.mcp.max-listen-streams-per-connection}
 * (10) a new one is refused with a clear error and an alert, other connections are untouched, and a
 * closed stream makes room again.
 */
class ListenStreamLimitTest extends GatewayTestSupport {
    private static final int LIMIT = 10;

    private static Result listenRequest(McpTestClient client, List<ObjectNode> events, List<CompletableFuture<Result>> open) {
        ObjectNode p = Json.object();
        p.putObject("notifications").put("toolsListChanged", true);
        ObjectNode meta = p.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
        meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, Json.object());
        CompletableFuture<Result> done = client.postAsync(Json.bytes(client.request("subscriptions/listen", p)),
                Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "subscriptions/listen"), events::add);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> done.isDone() || events.stream()
                .anyMatch(m -> "notifications/subscriptions/acknowledged".equals(m.path("method").asString(null))));
        if (done.isDone()) {
            return done.join();
        }
        open.add(done);
        return null;
    }

    @Test
    void pastTheLimitANewListenStreamIsRefusedAndAlertedWhileOthersListen() {
        String gateway = admin.createGateway(unique("listen-limit"));
        AdminClient.Connection greedy = admin.connect(gateway);
        AdminClient.Connection other = admin.connect(gateway);
        List<CompletableFuture<Result>> open = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            assertThat(listenRequest(client(greedy), new CopyOnWriteArrayList<>(), open)).as("stream %d stays open", i).isNull();
        }

        Result refused = listenRequest(client(greedy), new CopyOnWriteArrayList<>(), open);

        assertThat(refused).as("the stream past the limit").isNotNull();
        assertThat(refused.error().path("code").asInt()).isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(refused.error().path("message").asString())
                .isEqualTo("This connection already holds 10 open subscriptions/listen streams (the limit); close one before opening another");
        assertThat(listenRequest(client(other), new CopyOnWriteArrayList<>(), open)).as("another connection listens").isNull();
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                admin.send("GET", "/alerts?type=bound-reached", null).body().valueStream()
                        .filter(a -> a.path("subject").asString().equals("gatehouse.mcp.max-listen-streams-per-connection " + greedy.id()))
                        .toList()).hasSize(1));

        // Rotating the token ends every stream opened with it (they are re-authorized every second).
        String fresh = admin.expect(200, "POST", "/connections/" + greedy.id() + "/token", null).path("token").asString();
        admin.expect(200, "POST", "/connections/" + other.id() + "/token", null);
        for (CompletableFuture<Result> f : open) {
            McpTestClient.join(f, Duration.ofSeconds(60));
        }
        McpTestClient again = new McpTestClient(mcpUrl(gateway), fresh);
        List<CompletableFuture<Result>> reopened = new ArrayList<>();
        assertThat(listenRequest(again, new CopyOnWriteArrayList<>(), reopened)).as("room again once streams closed").isNull();
        admin.expect(200, "POST", "/connections/" + greedy.id() + "/token", null);
        McpTestClient.join(reopened.getFirst(), Duration.ofSeconds(60));
    }
}
