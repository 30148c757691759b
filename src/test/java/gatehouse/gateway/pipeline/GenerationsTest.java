package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.gateway.transport.McpHttpRequest;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/** What each protocol generation decides on its own: preflight, refusals, statuses, removed methods. */
class GenerationsTest {
    private final StatelessGeneration stateless = new StatelessGeneration(null, null, null);
    private final SessionGeneration sessionful = new SessionGeneration(null, null, null, null, null);

    private static McpHttpRequest headers(Map<String, String> h) {
        return new McpHttpRequest() {
            @Override
            public String header(String name) {
                return h.get(name);
            }

            @Override
            public String query(String name) {
                return null;
            }

            @Override
            public byte[] body() {
                throw new AssertionError("preflight must not read the body again");
            }
        };
    }

    private static Exchange statelessCall(String version) {
        ObjectNode params = Json.object();
        params.put("name", "t");
        ObjectNode meta = params.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, version);
        meta.putObject(StatelessEnvelope.CLIENT_CAPABILITIES);
        Exchange x = new Exchange(System.nanoTime());
        x.request(JsonRpc.request(3L, "tools/call", params));
        x.method("tools/call");
        return x;
    }

    @Test
    void theStatelessPreflightChecksTheRoutingHeaders() {
        Map<String, String> h = new HashMap<>(Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "t"));
        stateless.preflight(headers(h), statelessCall("2026-07-28"));

        h.put("Mcp-Name", "other");
        assertThatThrownBy(() -> stateless.preflight(headers(h), statelessCall("2026-07-28")))
                .isInstanceOfSatisfying(RefusedRequest.class, r -> {
                    assertThat(r.status()).isEqualTo(400);
                    assertThat(r.code()).isEqualTo(JsonRpc.HEADER_MISMATCH);
                });
    }

    @Test
    void anUnservedStatelessVersionIsRefusedWithTheSupportedList() {
        Map<String, String> h = Map.of("MCP-Protocol-Version", "2099-01-01", "Mcp-Method", "tools/call", "Mcp-Name", "t");
        assertThatThrownBy(() -> stateless.preflight(headers(h), statelessCall("2099-01-01")))
                .isInstanceOfSatisfying(RefusedRequest.class, r -> {
                    assertThat(r.code()).isEqualTo(JsonRpc.UNSUPPORTED_PROTOCOL_VERSION);
                    assertThat(r.data().path("supported").toString()).contains("2026-07-28");
                });
    }

    @Test
    void theStatelessRevisionHasNoHandshakeOrPingAndAnswersItsRefusalsWithStatuses() {
        assertThatThrownBy(() -> stateless.handler("initialize")).isInstanceOfSatisfying(McpException.class,
                e -> assertThat(e.code()).isEqualTo(JsonRpc.METHOD_NOT_FOUND));
        assertThatThrownBy(() -> stateless.handler("ping")).isInstanceOf(McpException.class);
        assertThat(stateless.errorStatus(JsonRpc.METHOD_NOT_FOUND)).isEqualTo(404);
        assertThat(stateless.errorStatus(JsonRpc.MISSING_CLIENT_CAPABILITY)).isEqualTo(400);
        assertThat(stateless.errorStatus(JsonRpc.HEADER_MISMATCH)).isEqualTo(400);
        assertThat(stateless.errorStatus(JsonRpc.INVALID_PARAMS)).isEqualTo(200);
        assertThat(stateless.id()).isEqualTo(Exchange.Generation.STATELESS);
    }

    @Test
    void theSessionProtocolAnswersErrorsInBandAndNeedsASessionId() {
        assertThat(sessionful.errorStatus(JsonRpc.METHOD_NOT_FOUND)).isEqualTo(-1);
        assertThat(sessionful.id()).isEqualTo(Exchange.Generation.SESSION);
        Exchange x = new Exchange(System.nanoTime());
        assertThatThrownBy(() -> sessionful.find(headers(Map.of()), x)).isInstanceOfSatisfying(HttpProblem.class,
                p -> assertThat(p.status()).isEqualTo(400));
    }
}
