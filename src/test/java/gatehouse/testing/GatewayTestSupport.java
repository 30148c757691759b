package gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import gatehouse.GatehouseApplication;
import gatehouse.admin.tokens.AdminTokens;
import gatehouse.audit.AuditLog;
import gatehouse.catalog.CatalogService;
import tools.jackson.databind.node.ObjectNode;

/**
 * One running Gatehouse (random port, temporary data directory, private in-memory H2) shared by
 * every data-plane test class: they all extend this class with the same configuration, so Spring's
 * test context cache starts it once. Each class builds its own servers, gateways and connections
 * through the admin API, under names of its own. A test-only pipeline step
 * ({@link gatehouse.gateway.pipeline.CountingStep}) records every relayed message.
 */
@SpringBootTest(classes = GatehouseApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gatehouse.public-url=" + GatewayTestSupport.PUBLIC_URL,
        "gatehouse.mcp.max-body-bytes=" + GatewayTestSupport.MAX_BODY_BYTES,
        "gatehouse.mcp.upstream-timeout=20s",
        "gatehouse.mcp.connect-timeout=5s",
        // A stdio fixture is a JVM: on a busy machine its start takes long.
        "gatehouse.mcp.stdio-start-timeout=180s",
        "gatehouse.oauth.client-metadata-loopback-allowed=true",
        // Every test signs in from 127.0.0.1; the throttle has its own tests (LocalAccountsAttackTest).
        "gatehouse.login.account-throttle.base-delay=0s",
        "gatehouse.login.address-throttle.base-delay=0s",
        // Upstream OAuth fixtures listen on http://127.0.0.1; production allows neither.
        "gatehouse.upstream-oauth.loopback-allowed=true",
})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Import(gatehouse.gateway.pipeline.CountingStep.Registration.class)
public abstract class GatewayTestSupport {
    /** Deliberately not the address the tests use, so tests see where URLs come from. */
    public static final String PUBLIC_URL = "https://gatehouse.example";
    public static final long MAX_BODY_BYTES = 65_536;
    public static final String ADMIN_TOKEN = "gha_test_admin_token_for_data_plane_tests";
    /** How long a test waits for log records before it fails (an upper bound, never a measurement). */
    protected static final Duration AUDIT_WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    protected int port;
    @Autowired
    protected AdminTokens adminTokens;
    @Autowired
    protected CatalogService catalog;
    @Autowired
    protected AuditLog audit;
    protected AdminClient admin;

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(tmp);
            Path dataDir = Files.createTempDirectory(tmp, "gatehouse-data-");
            registry.add("gatehouse.data-dir", dataDir::toString);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String db = "gatehouse-dataplane-" + UUID.randomUUID();
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1");
    }

    @BeforeAll
    void adminApi() {
        adminTokens.ensure(ADMIN_TOKEN, "data-plane tests");
        admin = new AdminClient(baseUrl(), ADMIN_TOKEN);
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    protected URI mcpUrl(String gatewayId) {
        return URI.create(baseUrl() + "/gateway/v1/mcp" + (gatewayId == null ? "" : "?gateway=" + gatewayId));
    }

    protected McpTestClient client(AdminClient.Connection c) {
        return new McpTestClient(mcpUrl(c.gatewayId()), c.token());
    }

    /**
     * The log records that match {@code query} (an admin-API {@code /logs} query string) and
     * {@code which}, once there are {@code expected} of them. The gateway records a message just
     * after answering it, so a test first waits for the records of what it sent to arrive, then
     * lets the audit writer finish everything queued by then, then checks the exact count: a
     * surplus record fails the test instead of being overlooked.
     */
    protected List<ObjectNode> awaitLogs(String query, Predicate<ObjectNode> which, int expected) {
        await().atMost(AUDIT_WAIT).untilAsserted(() -> assertThat(logs(query, which)).as("log records for %s", query)
                .hasSizeGreaterThanOrEqualTo(expected));
        audit.awaitQueuedWritten(AUDIT_WAIT);
        List<ObjectNode> rows = logs(query, which);
        assertThat(rows).as("log records for %s", query).hasSize(expected);
        return rows;
    }

    /** {@link #awaitLogs(String, Predicate, int)} for every record the query finds. */
    protected List<ObjectNode> awaitLogs(String query, int expected) {
        return awaitLogs(query, r -> true, expected);
    }

    private List<ObjectNode> logs(String query, Predicate<ObjectNode> which) {
        return admin.logs(query).stream().filter(which).toList();
    }

    /** A name no other test class uses (servers and gateways have unique names). */
    protected static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
