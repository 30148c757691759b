package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

class ParamHeadersStepTest {
    private static final ObjectNode TOOL = (ObjectNode) Json.tree("""
            {"name":"lookup","inputSchema":{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"}}}}""");

    private final ParamHeadersStep step = new ParamHeadersStep();

    private static Exchange call(Exchange.Generation generation, String region, Map<String, String> headers) {
        ObjectNode params = Json.object();
        params.put("name", "lookup");
        params.putObject("arguments").put("region", region);
        Exchange x = new Exchange(System.nanoTime(), null, generation, "tools/call", JsonRpc.request(1L, "tools/call", params));
        x.definition(() -> TOOL);
        x.headers(headers::get);
        return x;
    }

    @Test
    void headersThatAgreeWithTheArgumentsPass() {
        assertThat(step.beforeUpstream(call(Exchange.Generation.STATELESS, "eu", Map.of("Mcp-Param-Region", "eu"))))
                .isEqualTo(Verdict.pass());
    }

    @Test
    void aHeaderThatDisagreesIsRefusedWithTheHeaderMismatchCode() {
        Verdict v = step.beforeUpstream(call(Exchange.Generation.STATELESS, "eu", Map.of("Mcp-Param-Region", "us")));

        assertThat(v).isInstanceOfSatisfying(Verdict.Deny.class, d -> {
            assertThat(d.code()).isEqualTo(JsonRpc.HEADER_MISMATCH);
            assertThat(d.message()).startsWith("Bad Request: headers and body disagree: ");
            assertThat(d.data().path("reason").asString()).isNotBlank();
        });
    }

    @Test
    void sessionClientsAndToolsThatCannotBeFoundAreLeftAlone() {
        assertThat(step.beforeUpstream(call(Exchange.Generation.SESSION, "eu", Map.of("Mcp-Param-Region", "us"))))
                .isEqualTo(Verdict.pass());
        Exchange unknown = call(Exchange.Generation.STATELESS, "eu", Map.of("Mcp-Param-Region", "us"));
        unknown.definition(() -> null);
        assertThat(step.beforeUpstream(unknown)).isEqualTo(Verdict.pass());
    }
}
