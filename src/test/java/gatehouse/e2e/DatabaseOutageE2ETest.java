package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.bench.FastUpstream;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.McpTestClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL restarting under traffic: the jar keeps answering MCP calls from its in-memory
 * configuration while the database is away, keeps their log records, and writes every one of
 * them once the database is back.
 */
class DatabaseOutageE2ETest {
    private EmbeddedPostgres pg;
    private HttpServer upstream;
    private GatehouseJar jar;

    @AfterEach
    void stop() throws Exception {
        if (jar != null) {
            jar.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void callsGoOnWhileTheDatabaseRestartsAndEveryRecordArrivesAfterwards() throws Exception {
        Path dir = GatehouseJar.workDir("database-outage");
        Path pgData = Files.createDirectories(dir.resolve("pg"));
        int pgPort = GatehouseJar.freePort();
        pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(pgPort).start();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        upstream.createContext("/mcp", FastUpstream.handlerFor(false, "outage"));
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.start();
        jar = GatehouseJar.start(Files.createDirectories(dir.resolve("gatehouse")),
                Map.of("GATEHOUSE_DB_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?connectTimeout=2&socketTimeout=10",
                        "GATEHOUSE_DB_USER", "postgres", "GATEHOUSE_DB_PASSWORD", ""));
        AdminClient admin = jar.admin();
        String server = admin.createHttpServer("outage-upstream", "streamable-http", "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp");
        String gateway = admin.createGateway("outage");
        admin.assign(gateway, server, "o");
        AdminClient.Connection c = admin.connect(gateway);

        try (McpTestClient client = new McpTestClient(URI.create(c.url()), c.token())) {
            assertThat(client.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            for (int i = 0; i < 10; i++) {
                assertEcho(client, "before " + i);
            }
            pg.close();
            pg = null;
            // The database is gone: the same session, and a session opened now, go on being served.
            for (int i = 0; i < 10; i++) {
                assertEcho(client, "during " + i);
            }
            try (McpTestClient fresh = new McpTestClient(URI.create(c.url()), c.token())) {
                assertThat(fresh.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
                assertEcho(fresh, "during, new session");
            }
            pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(pgPort).start();
            for (int i = 0; i < 5; i++) {
                assertEcho(client, "after " + i);
            }
        }
        Awaitility.await("all 26 calls in the log").atMost(Duration.ofMinutes(2)).ignoreExceptions().untilAsserted(() -> {
            JsonNode logs = admin.expect(200, "GET", "/logs?gateway=" + gateway + "&method=tools/call&limit=100", null);
            java.util.List<String> texts = new java.util.ArrayList<>();
            logs.forEach(r -> texts.add(r.path("method").asString()));
            assertThat(texts).hasSize(26).containsOnly("tools/call");
        });
    }

    private static void assertEcho(McpTestClient client, String text) {
        McpTestClient.Result r = client.callTool("o__echo", Json.object().put("text", text));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.result().path("content").get(0).path("text").asString()).isEqualTo(text);
    }
}
