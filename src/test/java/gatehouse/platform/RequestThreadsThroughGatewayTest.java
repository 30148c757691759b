package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.testing.AdminClient.Connection;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;

/**
 * Requests run on Tomcat's few platform threads, and the MCP GET streams, which stay open, move off
 * them: more open streams than there are platform threads leave every platform thread free, and
 * calls keep being answered.
 */
class RequestThreadsThroughGatewayTest extends GatewayTestSupport {
    @Autowired
    private RequestThreads threads;

    @Test
    void openGetStreamsHoldNoPlatformThread() {
        assertThat(threads.platformThreads()).as("the default").isEqualTo(16);
        Connection conn = admin.connect(admin.createGateway(unique("streams")));
        List<McpTestClient> clients = new ArrayList<>();
        List<McpTestClient.EventStream> streams = new ArrayList<>();
        try {
            for (int i = 0; i < threads.platformThreads() + 4; i++) {
                McpTestClient c = new McpTestClient(URI.create("http://127.0.0.1:" + port + "/gateway/v1/mcp?gateway=" + conn.gatewayId()),
                        conn.token());
                clients.add(c);
                assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
                McpTestClient.EventStream s = c.openStream();
                assertThat(s.status()).isEqualTo(200);
                streams.add(s);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> threads.idleThreads() == threads.platformThreads());
            assertThat(streams).allMatch(s -> !s.ended().isDone());
            assertThat(clients.getFirst().call("ping", null).status()).isEqualTo(200);
        } finally {
            streams.forEach(McpTestClient.EventStream::close);
            clients.forEach(c -> {
                c.delete();
                c.close();
            });
        }
    }
}
