package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.bench.FastUpstream;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two Gatehouse replicas on one real PostgreSQL behind a real HAProxy balancing round robin, as
 * docs/deployment.md describes. The periodic refresh is set to ten minutes, so whatever one
 * replica learns of the other's changes arrives through PostgreSQL's LISTEN/NOTIFY.
 */
class ReplicasE2ETest {
    private static HttpServer upstream;
    private static BalancedReplicas replicas;
    private static GatehouseJar a;
    private static GatehouseJar b;
    private static String balancer;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        upstream.createContext("/mcp", FastUpstream.handlerFor(false, "replicated"));
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.start();
        replicas = BalancedReplicas.start("replicas", """
                timeout client 60s
                timeout server 60s
                """, """
                balance roundrobin
                option http-server-close
                """, "", "--gatehouse.catalog-refresh=10m");
        a = replicas.a();
        b = replicas.b();
        balancer = replicas.balancer();
    }

    @AfterAll
    static void stop() throws Exception {
        if (replicas != null) {
            replicas.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void anOperatorScriptThroughTheBalancerWorksWhicheverReplicaAnswersEachCall() {
        AdminClient admin = new AdminClient(balancer, GatehouseJar.ADMIN_TOKEN);
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp";
        // Each call uses the id the call before returned; round robin sends consecutive calls to different replicas.
        for (int i = 0; i < 6; i++) {
            String server = admin.createHttpServer("replicated-" + i, "streamable-http", url);
            String gateway = admin.createGateway("replicated-" + i);
            admin.assign(gateway, server, "r" + i);
            admin.expect(200, "GET", "/servers/" + server, null);
            AdminClient.Connection c = admin.connect(gateway);
            admin.expect(200, "GET", "/gateways/" + gateway, null);
            assertThat(c.token()).isNotBlank();
        }
    }

    @Test
    void statelessClientsNeedNoAffinityAndEveryReplicasCallsAreLoggedInOnePlace() {
        AdminClient admin = new AdminClient(balancer, GatehouseJar.ADMIN_TOKEN);
        String server = admin.createHttpServer("stateless-upstream", "streamable-http",
                "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp");
        String gateway = admin.createGateway("stateless-across");
        admin.assign(gateway, server, "s");
        AdminClient.Connection c = admin.connect(gateway);
        // The replica that did not create the connection learns of it from the other's notification,
        // moments later; until then it answers 401 like for any unknown token.
        for (GatehouseJar replica : List.of(a, b)) {
            Awaitility.await("the new connection is live on " + replica.baseUrl()).atMost(Duration.ofSeconds(30)).until(() -> {
                try (McpTestClient probe = new McpTestClient(URI.create(replica.baseUrl() + "/gateway/v1/mcp?gateway=" + gateway), c.token())) {
                    return probe.send(statelessCall(-1), Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call",
                            "Mcp-Name", "s__echo")).status() == 200;
                }
            });
        }
        try (McpTestClient client = new McpTestClient(URI.create(balancer + "/gateway/v1/mcp?gateway=" + gateway), c.token())) {
            for (int i = 0; i < 10; i++) {
                McpTestClient.Result r = client.send(statelessCall(i), Map.of("MCP-Protocol-Version", "2026-07-28",
                        "Mcp-Method", "tools/call", "Mcp-Name", "s__echo"));
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.result().path("content").get(0).path("text").asString()).isEqualTo("hello " + i);
            }
        }
        // Both replicas wrote their records to the one database: either replica lists all ten.
        for (GatehouseJar replica : List.of(a, b)) {
            Awaitility.await("twelve tools/call records seen from " + replica.baseUrl()).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode logs = replica.admin().expect(200, "GET", "/logs?gateway=" + gateway + "&limit=100", null);
                List<JsonNode> calls = new ArrayList<>();
                logs.forEach(r -> {
                    if ("tools/call".equals(r.path("method").asString())) {
                        calls.add(r);
                    }
                });
                // ten through the balancer, plus one probe on each replica
                assertThat(calls).hasSize(12);
            });
        }
    }

    @Test
    void aChangeOnOneReplicaIsLiveOnTheOtherWithoutWaitingForTheRefresh() {
        String server = a.admin().createHttpServer("notified-upstream", "streamable-http",
                "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp");
        String gateway = a.admin().createGateway("notified");
        a.admin().assign(gateway, server, "n");
        AdminClient.Connection c = a.admin().connect(gateway);
        URI onB = URI.create(b.baseUrl() + "/gateway/v1/mcp?gateway=" + gateway);
        // B learns of the new connection from A's notification (its own refresh is ten minutes away).
        Awaitility.await("replica b accepts the new connection").atMost(Duration.ofSeconds(30)).until(() -> {
            try (McpTestClient client = new McpTestClient(onB, c.token())) {
                return client.initialize(McpTestClient.capabilities()).status() == 200;
            }
        });
        a.admin().expect(200, "PATCH", "/connections/" + c.id(), Map.of("enabled", false));
        Awaitility.await("replica b refuses the disabled connection").atMost(Duration.ofSeconds(30)).until(() -> {
            try (McpTestClient client = new McpTestClient(onB, c.token())) {
                return client.initialize(McpTestClient.capabilities()).status() == 403;
            }
        });
        Set<Integer> seen = new HashSet<>();
        try (McpTestClient client = new McpTestClient(URI.create(balancer + "/gateway/v1/mcp?gateway=" + gateway), c.token())) {
            for (int i = 0; i < 4; i++) {
                seen.add(client.initialize(McpTestClient.capabilities()).status());
            }
        }
        assertThat(seen).containsExactly(403);
    }

    private static ObjectNode statelessCall(int i) {
        ObjectNode msg = Json.object();
        msg.put("jsonrpc", "2.0");
        msg.put("id", i + 1);
        msg.put("method", "tools/call");
        ObjectNode params = msg.putObject("params");
        params.put("name", "s__echo");
        params.putObject("arguments").put("text", "hello " + i);
        ObjectNode meta = params.putObject("_meta");
        meta.put("io.modelcontextprotocol/protocolVersion", "2026-07-28");
        meta.putObject("io.modelcontextprotocol/clientCapabilities");
        meta.putObject("io.modelcontextprotocol/clientInfo").put("name", "replicas-test").put("version", "1");
        return msg;
    }
}
