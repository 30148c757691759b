package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.e2e.NodePeers;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Content rules on answers a 2025 session gets as the upstream's own bytes: an upstream that
 * answers with one plain JSON message (here the npm SDK v2 server, sdk2-server.mjs, a 2026-07-28
 * upstream) has its result's bytes relayed as read while the response still holds that result,
 * and a repeated merged list goes out from the text serialized the first time. A rule that
 * rewrites either must reach the client every time, whether the answer is plain JSON or an event
 * stream, and a list answer kept for reuse must never carry a rewrite that was made for one
 * answer (nor lose one).
 */
class RulesOnUpstreamBytesThroughGatewayTest extends GatewayTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private NodePeers.Background upstream;
    private String gateway;

    @BeforeAll
    void setUp() throws IOException {
        NodePeers peers = NodePeers.fromEnvironment();
        Path logs = Files.createTempDirectory("sdk2-rules-bytes");
        upstream = peers.start("sdk2-server", List.of(peers.node(), peers.dir().resolve("sdk2-server.mjs").toString(), "--port", "0"),
                peers.dir(), Map.of(), logs);
        String url = upstream.awaitPrinted("url", WAIT);
        String server = admin.createHttpServer(unique("sdk2-bytes"), "streamable-http", url);
        gateway = admin.createGateway(unique("rules-bytes-gw"));
        admin.assign(gateway, server, "v2");
        rule(Map.of("name", "emails-out", "type", "pii", "entities", List.of("EMAIL_ADDRESS"), "action", "replace",
                "direction", "response"));
    }

    @AfterAll
    void tearDown() {
        if (upstream != null) {
            upstream.kill();
        }
    }

    private String rule(Map<String, Object> body) {
        AdminClient.Answer a = admin.send("POST", "/gateways/" + gateway + "/rules", body);
        assertThat(a.status()).as("%s", a.body()).isEqualTo(201);
        return a.body().path("id").asString();
    }

    private McpTestClient connected(String... capabilities) {
        McpTestClient c = client(admin.connect(gateway));
        assertThat(c.initialize(McpTestClient.capabilities(capabilities)).status()).isEqualTo(200);
        return c;
    }

    private static String text(McpTestClient.Result r) {
        return r.result().path("content").get(0).path("text").asString();
    }

    @Test
    void aRedactedResultNeverGoesOutAsTheUpstreamWroteItInPlainJson() {
        McpTestClient c = connected();
        // clean and redacted answers alternate on one session: no answer carries another's bytes
        for (int i = 0; i < 3; i++) {
            McpTestClient.Result redacted = c.callTool("v2__echo", Json.object().put("message", "write to ann" + i + "@example.com"));
            assertThat(redacted.streamed()).as(redacted.body()).isFalse();
            assertThat(text(redacted)).as(redacted.body()).isEqualTo("Echo: write to <EMAIL_ADDRESS>");
            assertThat(redacted.body()).doesNotContain("@example.com");

            McpTestClient.Result clean = c.callTool("v2__echo", Json.object().put("message", "hello " + i));
            assertThat(clean.streamed()).isFalse();
            assertThat(text(clean)).as(clean.body()).isEqualTo("Echo: hello " + i);
        }
    }

    @Test
    void aRedactedResultNeverGoesOutAsTheUpstreamWroteItInAnEventStream() {
        McpTestClient c = connected("sampling");
        // the upstream asks for a sample (a real request on the call's stream); the answer it echoes holds an address
        c.onServerRequest(request -> Json.tree("""
                {"role":"assistant","content":{"type":"text","text":"mail bob@example.com"},"model":"m","stopReason":"endTurn"}"""));
        for (int i = 0; i < 2; i++) {
            McpTestClient.Result r = c.callTool("v2__sample", Json.object().put("prompt", "whom shall I mail?"));
            assertThat(r.streamed()).as("the answer went out as an event stream: %s", r.body()).isTrue();
            assertThat(r.interim()).as(r.body()).anyMatch(m -> "sampling/createMessage".equals(m.path("method").asString()));
            assertThat(text(r)).as(r.body()).isEqualTo("sampled: mail <EMAIL_ADDRESS>");
            assertThat(r.body()).doesNotContain("bob@example.com");

            McpTestClient.Result clean = c.callTool("v2__echo", Json.object().put("message", "between " + i));
            assertThat(text(clean)).isEqualTo("Echo: between " + i);
        }
    }

    @Test
    void aRewrittenListIsRewrittenEveryTimeAndTheKeptAnswerNeverChanges() {
        McpTestClient first = connected();
        McpTestClient second = connected();
        String original = description(first, "v2__echo");
        assertThat(original).isEqualTo("Echoes the message");

        String id = rule(Map.of("name", "echo-described", "type", "regex", "patterns", List.of("Echoes the message"),
                "action", "replace", "replacement", "[described]", "direction", "response"));
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> "[described]".equals(description(first, "v2__echo")));
            for (int i = 0; i < 3; i++) {
                for (McpTestClient c : List.of(first, second)) {
                    McpTestClient.Result r = c.call("tools/list", Json.object());
                    assertThat(r.body()).doesNotContain("Echoes the message");
                    assertThat(describedAs(r, "v2__echo")).isEqualTo("[described]");
                    assertThat(describedAs(r, "v2__add")).isEqualTo("Adds two numbers");
                }
            }
        } finally {
            assertThat(admin.send("DELETE", "/gateways/" + gateway + "/rules/" + id, null).status()).isEqualTo(204);
        }
        // the list kept for reuse was never changed in place: without the rule it is the upstream's again
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> original.equals(description(second, "v2__echo")));
        assertThat(description(first, "v2__echo")).isEqualTo(original);
    }

    private static String description(McpTestClient c, String tool) {
        return describedAs(c.call("tools/list", Json.object()), tool);
    }

    private static String describedAs(McpTestClient.Result r, String tool) {
        for (JsonNode t : r.result().path("tools")) {
            if (tool.equals(t.path("name").asString())) {
                return t.path("description").asString();
            }
        }
        throw new AssertionError(tool + " not listed: " + r.body());
    }
}
