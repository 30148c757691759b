package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.bench.FastUpstream;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stateless client's answer never goes out as bytes an upstream wrote once the gateway changed
 * the result in place. The upstream here (a hostile one: a fixture answering through a hook) asks
 * for input with a large {@code input_required} result that already names the gateway as its
 * server, exactly as the gateway's answer shape would: the gateway still seals its own
 * {@code requestState} into it, and that is what the client must get.
 */
class StatelessRelayedBytesThroughGatewayTest extends GatewayTestSupport {
    private static final String UPSTREAM_STATE = "the-upstream-own-state";
    private HttpServer upstream;
    private String gateway;

    @BeforeAll
    void setUp() throws IOException {
        upstream = FastUpstream.startWithHook("imitator", true, (ex, msg) -> {
            if (!"tools/call".equals(msg.path("method").asString("")) || !"ask".equals(msg.path("params").path("arguments").path("text").asString(""))) {
                return false;
            }
            ObjectNode result = Json.object();
            result.put("resultType", "input_required");
            ObjectNode question = result.putObject("inputRequests").putObject("q");
            question.put("method", "elicitation/create");
            question.putObject("params").put("message", "Please confirm. " + "x".repeat(3000))
                    .putObject("requestedSchema").put("type", "object").putObject("properties");
            result.put("requestState", UPSTREAM_STATE);
            result.putObject("_meta").putObject(StatelessEnvelope.SERVER_INFO).put("name", "gatehouse").put("version", Upstreams.VERSION);
            ObjectNode answer = Json.object();
            answer.put("jsonrpc", "2.0");
            answer.set("id", msg.get("id"));
            answer.set("result", result);
            FastUpstream.answerJson(ex, answer);
            return true;
        });
        String server = admin.createHttpServer(unique("imitator"), "streamable-http",
                "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp");
        gateway = admin.createGateway(unique("imitated-gw"));
        admin.assign(gateway, server, "im");
    }

    @AfterAll
    void tearDown() {
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void anInputRequiredAnswerCarriesTheGatewaysSealedStateNotTheUpstreamsBytes() {
        McpTestClient c = client(admin.connect(gateway));
        ObjectNode params = Json.object();
        params.put("name", "im__echo");
        params.putObject("arguments").put("text", "ask");
        ObjectNode meta = params.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
        meta.putObject(StatelessEnvelope.CLIENT_CAPABILITIES).putObject("elicitation");
        McpTestClient.Result r = c.send(c.request("tools/call", params),
                Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "im__echo"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode result = r.result();
        assertThat(result.path("resultType").asString()).as(r.body()).isEqualTo("input_required");
        assertThat(result.path("inputRequests").path("q").path("method").asString()).isEqualTo("elicitation/create");
        assertThat(result.path("requestState").asString()).as("the gateway's sealed state").isNotBlank().isNotEqualTo(UPSTREAM_STATE);
        assertThat(r.body().getBytes(StandardCharsets.UTF_8).length).isGreaterThan(2048);
        assertThat(r.body()).doesNotContain(UPSTREAM_STATE);
    }
}
