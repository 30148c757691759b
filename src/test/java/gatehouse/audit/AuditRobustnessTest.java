package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.node.ObjectNode;

/** Clients choose ids, methods and names: none of them, however long, can stop the log. */
class AuditRobustnessTest extends GatewayTestSupport {

    @Test
    void oversizedClientChosenFieldsAreCutToFitAndLaterRecordsStillArrive() {
        String gw = admin.createGateway("audit-robust");
        AdminClient.Connection conn = admin.connect(gw);
        McpTestClient c = client(conn);
        c.initialize(McpTestClient.capabilities());

        String longId = "i".repeat(300);
        String longMethod = "x/" + "m".repeat(300);
        ObjectNode ping = Json.object().put("jsonrpc", "2.0").put("id", longId).put("method", "ping");
        ObjectNode unknown = Json.object().put("jsonrpc", "2.0").put("id", 2).put("method", longMethod);
        assertThat(c.send(ping, Map.of()).status()).isEqualTo(200);
        assertThat(c.send(unknown, Map.of()).error().path("code").asInt()).isEqualTo(-32601);
        for (int i = 0; i < 5; i++) {
            c.call("ping", Json.object());
        }
        // initialize, notifications/initialized, 6 pings, the unknown method
        List<ObjectNode> records = awaitLogs("connection=" + conn.id() + "&limit=100", 9);
        assertThat(records).filteredOn(r -> "ping".equals(r.path("method").asString())).hasSize(6);
        assertThat(records).filteredOn(r -> r.path("correlationId").asString("").startsWith("iiii")).singleElement()
                .satisfies(r -> assertThat(r.path("correlationId").asString()).hasSize(64));
        assertThat(records).filteredOn(r -> r.path("method").asString("").startsWith("x/mmm")).singleElement().satisfies(r -> {
            assertThat(r.path("method").asString()).hasSize(128);
            assertThat(r.path("errorCode").asInt()).isEqualTo(-32601);
        });
        // Each record exactly once: a failed batch is not written again beside new records.
        assertThat(records.stream().map(r -> r.path("id").asLong()).distinct()).hasSameSizeAs(records);
    }
}
