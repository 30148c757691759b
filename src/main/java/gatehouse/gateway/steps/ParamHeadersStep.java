package gatehouse.gateway.steps;

import java.util.List;

import org.springframework.stereotype.Component;

import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpParamHeaders;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code Mcp-Param-*} headers of a stateless client's {@code tools/call}, checked against the
 * arguments for the parameters the tool (as its server lists it) marks with {@code x-mcp-header}:
 * intermediaries route on those headers without reading the body, so they must not disagree. A
 * tool that cannot be found is left to the call, which answers that.
 */
@Component
public class ParamHeadersStep implements Step {

    @Override
    public String name() {
        return "param-headers";
    }

    @Override
    public Verdict beforeUpstream(Exchange exchange) {
        if (exchange.generation() != Exchange.Generation.STATELESS || !"tools/call".equals(exchange.method())) {
            return Verdict.pass();
        }
        JsonNode tool = exchange.definition();
        if (tool == null) {
            return Verdict.pass();
        }
        ObjectNode params = JsonRpc.params(exchange.request());
        String problem = McpParamHeaders.check(McpParamHeaders.scan(tool.get("inputSchema")),
                params == null ? null : params.get("arguments"), exchange::header);
        if (problem == null) {
            return Verdict.pass();
        }
        ObjectNode data = Json.object();
        data.put("reason", problem);
        return new Verdict.Deny(JsonRpc.HEADER_MISMATCH, "Bad Request: headers and body disagree: " + problem, data, List.of());
    }
}
