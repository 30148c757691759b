package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.bench.FastUpstream;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tool results nothing on the gateway reads (no content rule covers answers) are read in summary
 * and go out as the upstream's bytes: the client still gets every byte, the log record still has
 * the outcome and the token count, and a rule that covers answers, added at any time, sees and
 * rewrites the very next result whole. The upstream is the benchmark's Streamable HTTP server
 * (plain JSON answers, 2025 sessions); an echoed text starting with {@code FAIL:} comes back as a
 * tool error.
 */
class PassThroughResultsThroughGatewayTest extends GatewayTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BIG_TEXT = "lorem ipsum dolor sit amet consectetur ".repeat(100_000 / 39 + 1).substring(0, 100_000);
    private static final String PAD = " padding".repeat(400);

    private HttpServer upstream;
    private String server;

    @BeforeAll
    void world() throws Exception {
        upstream = FastUpstream.startWithHook("pass", (ex, msg) -> {
            String text = msg.path("params").path("arguments").path("text").asString("");
            if (!text.startsWith("FAIL:")) {
                return false;
            }
            ObjectNode answer = Json.object().put("jsonrpc", "2.0").set("id", msg.get("id"));
            ObjectNode result = answer.putObject("result");
            result.putArray("content").addObject().put("type", "text").put("text", text);
            result.put("isError", true);
            FastUpstream.answerJson(ex, answer);
            return true;
        });
        server = admin.createHttpServer(unique("pass-upstream"), "streamable-http",
                "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp");
    }

    @AfterAll
    void stop() {
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    private String gateway(String name) {
        String gw = admin.createGateway(unique(name));
        admin.assign(gw, server, "p");
        return gw;
    }

    private McpTestClient connected(String gateway) {
        McpTestClient c = client(admin.connect(gateway));
        assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        return c;
    }

    private String rule(String gateway, String direction) {
        AdminClient.Answer a = admin.send("POST", "/gateways/" + gateway + "/rules", Map.of("name", unique("emails"), "type", "pii",
                "entities", List.of("EMAIL_ADDRESS"), "action", "replace", "direction", direction));
        assertThat(a.status()).as("%s", a.body()).isEqualTo(201);
        return a.body().path("id").asString();
    }

    private static String echoed(McpTestClient c, String text) {
        McpTestClient.Result r = c.callTool("p__echo", Json.object().put("text", text));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.result().path("content").get(0).path("text").asString();
    }

    @Test
    void aPassedThroughResultArrivesWholeAndItsLogRecordHasOutcomeAndTokens() {
        String gw = gateway("pass-gw");
        McpTestClient c = connected(gw);
        for (int i = 0; i < 2; i++) {
            McpTestClient.Result big = c.callTool("p__big", Json.object());
            assertThat(big.status()).isEqualTo(200);
            assertThat(big.result().path("content").get(0).path("text").asString()).isEqualTo(BIG_TEXT);
            assertThat(big.result().has("isError")).isFalse();
        }
        McpTestClient.Result failed = c.callTool("p__echo", Json.object().put("text", "FAIL: the disk is full" + PAD));
        assertThat(failed.result().path("isError").asBoolean()).as(failed.body()).isTrue();
        assertThat(failed.result().path("content").get(0).path("text").asString()).isEqualTo("FAIL: the disk is full" + PAD);

        List<ObjectNode> big = awaitLogs("gateway=" + gw + "&tool=p__big", 2);
        for (ObjectNode r : big) {
            assertThat(r.path("status").asString()).as("%s", r).isEqualTo("ok");
            // ~7 tokens per 39 characters of the repeated phrase
            assertThat(r.path("outputTokens").asInt()).as("%s", r).isBetween(12_000, 30_000);
        }
        List<ObjectNode> tool = awaitLogs("gateway=" + gw + "&tool=p__echo", 1);
        assertThat(tool.getFirst().path("status").asString()).as("%s", tool.getFirst()).isEqualTo("tool-error");
        assertThat(tool.getFirst().path("outputTokens").asInt()).as("%s", tool.getFirst()).isBetween(400, 1_000);
    }

    @Test
    void aRuleOnAnswersSeesTheNextResultWholeFromTheMomentItExistsUntilItIsGone() {
        String gw = gateway("pass-rules-gw");
        McpTestClient c = connected(gw);
        String mail = "write to ann@example.com" + PAD;
        assertThat(echoed(c, mail)).as("no rule: passed through").isEqualTo(mail);

        String requestOnly = rule(gw, "request");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> !echoed(c, mail).contains("@example.com"));
        assertThat(echoed(c, "FAIL: bob@example.com" + PAD)).as("the request rule applies; the answer passes through")
                .isEqualTo("FAIL: <EMAIL_ADDRESS>" + PAD);

        String onAnswers = rule(gw, "response");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> !echoed(c, mail).contains("@example.com"));
        for (int i = 0; i < 3; i++) {
            String redacted = echoed(c, "write to ann" + i + "@example.com" + PAD);
            assertThat(redacted).isEqualTo("write to <EMAIL_ADDRESS>" + PAD);
            McpTestClient.Result big = c.callTool("p__big", Json.object());
            assertThat(big.result().path("content").get(0).path("text").asString()).isEqualTo(BIG_TEXT);
        }
        assertThat(admin.send("DELETE", "/gateways/" + gw + "/rules/" + onAnswers, null).status()).isEqualTo(204);
        assertThat(admin.send("DELETE", "/gateways/" + gw + "/rules/" + requestOnly, null).status()).isEqualTo(204);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> echoed(c, mail).equals(mail));
    }

    @Test
    void aShortResultAndAListAreUnchangedByThePassThrough() {
        String gw = gateway("pass-small-gw");
        McpTestClient c = connected(gw);
        assertThat(echoed(c, "short")).isEqualTo("short");
        McpTestClient.Result list = c.call("tools/list", Json.object());
        assertThat(list.result().path("tools")).hasSize(20);
        assertThat(list.body()).contains("\"p__big\"");
    }
}
