package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.McpTestClient;

import tools.jackson.databind.node.ObjectNode;

/**
 * docs/deployment.md promises that on SIGTERM every queued log record is written before the process
 * exits. A burst of calls, SIGTERM right after the last answer, a restart on the same data
 * directory: every call is in the logs, exactly once. Needs no npm peer (the calls are pings the
 * gateway answers itself), so it runs wherever the jar is built.
 */
class ShutdownKeepsEveryLogRecordE2ETest {
    private static final int CALLS = 400;

    @Test
    void aBurstOfCallsThenSigtermLeavesEveryCallInTheLogsAfterARestart() throws Exception {
        Path dir = GatehouseJar.workDir("ShutdownKeepsEveryLogRecordE2ETest");
        String connectionId;
        GatehouseJar first = GatehouseJar.start(dir);
        try {
            String gatewayId = first.createGateway("burst");
            AdminClient.Connection c = first.connect(gatewayId, "e2e-burst");
            connectionId = c.id();
            McpTestClient client = new McpTestClient(URI.create(first.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId), c.token());
            assertThat(client.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            List<Future<McpTestClient.Result>> answers = new ArrayList<>();
            try (ExecutorService burst = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < CALLS; i++) {
                    answers.add(burst.submit(() -> client.call("ping", Json.object())));
                }
            }
            java.util.Set<String> answeredIds = new java.util.HashSet<>();
            for (Future<McpTestClient.Result> a : answers) {
                McpTestClient.Result r = a.get();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.result()).as("a ping's result, not an error: %s", r.body()).isNotNull();
                answeredIds.add(r.response().path("id").asString());
            }
            assertThat(answeredIds).as("every ping got its own answer").hasSize(CALLS);
        } finally {
            first.close(); // SIGTERM right after the last answer
        }
        assertThat(first.exitedOnSigterm()).as("the jar stopped on SIGTERM, not SIGKILL").isTrue();

        try (GatehouseJar second = GatehouseJar.start(dir)) {
            List<ObjectNode> records = second.admin().logs("connection=" + connectionId + "&limit=" + (CALLS * 2));
            List<String> pings = records.stream().filter(r -> "ping".equals(r.path("method").asString()))
                    .map(r -> r.path("correlationId").asString()).toList();
            // on failure: which calls are missing, and both runs' output (the log file keeps the first run's too)
            assertThat(pings).as(() -> "one record per ping; recorded " + pings.size() + ", missing correlation ids "
                    + missing(pings) + "\nwarnings and errors of both runs:\n"
                    + String.join("\n", second.logText().lines().filter(l -> l.contains("WARN") || l.contains("ERROR")).toList()))
                    .hasSize(CALLS);
            assertThat(records).filteredOn(r -> "initialize".equals(r.path("method").asString())).hasSize(1);
            assertThat(records).as("initialize, notifications/initialized and the pings, nothing else").hasSize(CALLS + 2);
            assertThat(records.stream().map(r -> r.path("id").asLong()).distinct()).as("each record once").hasSize(CALLS + 2);
        }
    }

    /** The ping ids (the test client numbers its requests) with no record. */
    private static List<String> missing(List<String> recorded) {
        java.util.Set<String> seen = new java.util.HashSet<>(recorded);
        long max = recorded.stream().mapToLong(id -> Long.parseLong(id)).max().orElse(CALLS + 1);
        List<String> gaps = new ArrayList<>();
        for (long id = 1; id <= max + 1; id++) {
            if (!seen.contains(Long.toString(id))) {
                gaps.add(Long.toString(id));
            }
        }
        return gaps;
    }
}
