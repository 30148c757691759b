package gatehouse.platform;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.transaction.PlatformTransactionManager;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.audit.AuditLog;
import gatehouse.audit.AuditProperties;
import gatehouse.audit.LogQuery;
import gatehouse.audit.LogRecord;
import gatehouse.audit.LogVerifier;
import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService.IssuedConnection;
import gatehouse.catalog.CatalogService.ServerInput;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.FreshCatalog;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.Host;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;
import gatehouse.platform.TokenHashes;

/**
 * The persistence contract, run once per database (H2, the embedded default, and PostgreSQL).
 * Round trips compare what the service returned with what a second instance reads from the same
 * database ({@link FreshCatalog}), so nothing is answered from memory.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
abstract class AbstractPersistenceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String HEADER_SECRET = "Bearer sk-live-header-7f3a9c";
    private static final String ENV_SECRET = "ghp_envsecret_41d2b8";

    @Autowired CatalogService catalog;
    @Autowired Flyway flyway;
    @Autowired DataSource dataSource;
    @Autowired JdbcClient jdbc;
    @Autowired JdbcTemplate jdbcTemplate;
    @Autowired GatehouseProperties props;
    @Autowired SecretBox secrets;
    @Autowired AdminTokens adminTokens;
    @Autowired AuditLog auditLog;
    @Autowired LogQuery logQuery;
    @Autowired LogVerifier logVerifier;
    @Autowired AuditProperties auditProperties;
    @Autowired PlatformTransactionManager transactions;

    /** What another instance with the same database and data directory would load. */
    private FreshCatalog fresh() throws Exception {
        return new FreshCatalog(jdbc, new SecretBox(props)); // a new SecretBox reads master.key from the data directory
    }

    private ServerDef httpServer(String name) {
        return catalog.createServer(new ServerInput(name, "streamable-http", null, null, "https://mcp.example.test/mcp",
                Map.of("Authorization", HEADER_SECRET)));
    }

    private ServerDef stdioServer(String name) {
        return catalog.createServer(new ServerInput(name, "stdio", List.of("npx", "-y", "some-mcp-server"),
                Map.of("GITHUB_TOKEN", ENV_SECRET, "MODE", "read-only"), null, null));
    }

    /** The migration files in every location Flyway is configured with (file names, as Flyway's script names). */
    private List<String> migrationScripts() {
        PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
        List<String> scripts = new ArrayList<>();
        for (Location location : flyway.getConfiguration().getLocations()) {
            try {
                for (Resource r : resolver.getResources("classpath*:" + location.getRootPath() + "/V*.sql")) {
                    scripts.add(r.getFilename());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(scripts).as("migration files found").isNotEmpty();
        return scripts;
    }

    @Test
    void migrationsApplyAndLeaveNothingPending() {
        MigrationInfo[] applied = flyway.info().applied();
        assertThat(applied).extracting(m -> m.getVersion().getVersion()).contains("1");
        assertThat(applied).allSatisfy(m -> assertThat(m.getState().isFailed()).as(m.getDescription()).isFalse());
        assertThat(flyway.info().pending()).isEmpty();
        assertThat(applied).extracting(m -> m.getScript()).as("every migration file applied, each once")
                .containsExactlyInAnyOrderElementsOf(migrationScripts());
        List<String> tables = jdbc.sql("SELECT LOWER(table_name) FROM information_schema.tables").query(String.class).list();
        assertThat(tables).contains("servers", "gateways", "assignments", "hosts", "connections", "admin_tokens", "log_records");
    }

    @Test
    void serversRoundTripThroughTheDatabase() throws Exception {
        ServerDef stdio = stdioServer(unique("files"));
        ServerDef http = httpServer(unique("remote"));

        CatalogSnapshot loaded = fresh().snapshot();
        assertThat(loaded.servers().get(stdio.id())).isEqualTo(stdio);
        assertThat(loaded.servers().get(http.id())).isEqualTo(http);
        assertThat(loaded.servers().get(stdio.id()).transport()).isEqualTo(Transport.STDIO);
        assertThat(loaded.servers().get(stdio.id()).command()).containsExactly("npx", "-y", "some-mcp-server");

        String renamed = unique("remote-renamed");
        ServerDef updated = catalog.updateServer(http.id(), new ServerInput(renamed, "sse", null, null, "https://mcp.example.test/sse",
                Map.of("X-Api-Key", "k2")));
        ServerDef reloaded = fresh().snapshot().servers().get(http.id());
        assertThat(reloaded).isEqualTo(updated);
        assertThat(reloaded.name()).isEqualTo(renamed);
        assertThat(reloaded.transport()).isEqualTo(Transport.SSE);
        assertThat(reloaded.headers()).isEqualTo(Map.of("X-Api-Key", "k2"));
        assertThat(reloaded.createdAt()).isEqualTo(http.createdAt());
        assertThat(reloaded.updatedAt()).isAfterOrEqualTo(http.updatedAt());

        catalog.deleteServer(http.id());
        assertThat(fresh().snapshot().servers()).doesNotContainKey(http.id()).containsKey(stdio.id());
        assertThatThrownBy(() -> catalog.deleteServer(http.id())).isInstanceOfSatisfying(ProblemException.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void gatewaysAndAssignmentsRoundTripThroughTheDatabase() throws Exception {
        ServerDef a = stdioServer(unique("Files Server"));
        ServerDef b = httpServer(unique("remote"));
        GatewayDef gw = catalog.createGateway(unique("team"));
        assertThat(fresh().snapshot().gateways().get(gw.id())).isEqualTo(gw);

        String newName = unique("team-renamed");
        GatewayDef renamed = catalog.renameGateway(gw.id(), newName);
        assertThat(fresh().snapshot().gateways().get(gw.id())).isEqualTo(renamed);
        assertThat(renamed.name()).isEqualTo(newName);

        Assignment first = catalog.assign(gw.id(), a.id(), "shared", null);
        Assignment second = catalog.assign(gw.id(), b.id(), "shared", "remote");
        assertThat(first.prefix()).isEqualTo(CatalogService.defaultPrefix(a.name())).startsWith("files-server-");
        assertThat(fresh().snapshot().assignments(gw.id())).containsExactlyInAnyOrder(first, second);

        Assignment changed = catalog.assign(gw.id(), b.id(), "shared", "other");
        assertThat(changed.createdAt()).isEqualTo(second.createdAt());
        assertThat(fresh().snapshot().assignments(gw.id())).containsExactlyInAnyOrder(first, changed);
        assertThat(changed.identity()).isEqualTo(IdentityScheme.SHARED);

        catalog.unassign(gw.id(), a.id());
        assertThat(fresh().snapshot().assignments(gw.id())).containsExactly(changed);

        catalog.deleteServer(b.id()); // cascades to its assignments
        assertThat(fresh().snapshot().assignments(gw.id())).isEmpty();

        catalog.assign(gw.id(), a.id(), "shared", "");
        catalog.deleteGateway(gw.id());
        CatalogSnapshot loaded = fresh().snapshot();
        assertThat(loaded.gateways()).doesNotContainKey(gw.id());
        assertThat(loaded.assignments(gw.id())).isEmpty();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM assignments WHERE gateway_id = ?").param(gw.id()).query(Long.class).single()).isZero();
    }

    @Test
    void hostsAndConnectionsRoundTripThroughTheDatabase() throws Exception {
        GatewayDef gw = catalog.createGateway(unique("ci"));
        Host host = catalog.createHost(unique("pipeline"), "api-token");
        assertThat(fresh().hosts()).contains(host);

        IssuedConnection issued = catalog.createConnection(host.id(), gw.id());
        Connection c = issued.connection();
        CatalogSnapshot loaded = fresh().snapshot();
        assertThat(loaded.connectionsById().get(c.id())).isEqualTo(c);
        assertThat(loaded.connectionsByTokenHash().get(TokenHashes.sha256(issued.token()))).isEqualTo(c);
        assertThat(c.enabled()).isTrue();

        catalog.setConnectionEnabled(c.id(), false);
        assertThat(fresh().snapshot().connectionsById().get(c.id()).enabled()).isFalse();

        String rotated = catalog.rotateConnectionToken(c.id());
        loaded = fresh().snapshot();
        assertThat(loaded.connectionsByTokenHash()).doesNotContainKey(TokenHashes.sha256(issued.token()));
        assertThat(loaded.connectionsByTokenHash().get(TokenHashes.sha256(rotated)).id()).isEqualTo(c.id());

        IssuedConnection second = catalog.createConnection(host.id(), gw.id());
        catalog.deleteConnection(c.id());
        assertThat(fresh().snapshot().connectionsById()).doesNotContainKey(c.id()).containsKey(second.connection().id());

        catalog.deleteHost(host.id()); // cascades to the host's connections
        assertThat(fresh().hosts()).doesNotContain(host);
        assertThat(fresh().snapshot().connectionsById()).doesNotContainKey(second.connection().id());
    }

    @Test
    void serverHeadersAndEnvironmentAreEncryptedAtRest() throws Exception {
        ServerDef stdio = stdioServer(unique("enc-stdio"));
        ServerDef http = httpServer(unique("enc-http"));

        Map<String, Object> stdioRow = jdbc.sql("SELECT * FROM servers WHERE id = ?").param(stdio.id()).query().singleRow();
        Map<String, Object> httpRow = jdbc.sql("SELECT * FROM servers WHERE id = ?").param(http.id()).query().singleRow();
        String envSealed = column(stdioRow, "env_sealed");
        String headersSealed = column(httpRow, "headers_sealed");
        assertThat(envSealed).startsWith("v2:").doesNotContain(ENV_SECRET).doesNotContain("GITHUB_TOKEN");
        assertThat(headersSealed).startsWith("v2:").doesNotContain(HEADER_SECRET).doesNotContain("sk-live");
        assertThat(stdioRow.values().toString()).doesNotContain(ENV_SECRET);
        assertThat(httpRow.values().toString()).doesNotContain(HEADER_SECRET);

        assertThat(Json.tree(secrets.decrypt(envSealed, SecretBox.context("servers", "env_sealed", stdio.id()))).get("GITHUB_TOKEN").asString())
                .isEqualTo(ENV_SECRET);
        assertThat(Json.tree(secrets.decrypt(headersSealed, SecretBox.context("servers", "headers_sealed", http.id()))).get("Authorization").asString())
                .isEqualTo(HEADER_SECRET);
        // Bound to its row and column: copied elsewhere, it does not open.
        assertThatThrownBy(() -> secrets.decrypt(headersSealed, SecretBox.context("servers", "headers_sealed", stdio.id())))
                .hasMessageContaining("cannot be decrypted");
        assertThatThrownBy(() -> secrets.decrypt(envSealed, SecretBox.context("servers", "headers_sealed", stdio.id())))
                .hasMessageContaining("cannot be decrypted");
        CatalogSnapshot loaded = fresh().snapshot();
        assertThat(loaded.servers().get(stdio.id()).env()).containsEntry("GITHUB_TOKEN", ENV_SECRET).containsEntry("MODE", "read-only");
        assertThat(loaded.servers().get(http.id()).headers()).containsExactly(Map.entry("Authorization", HEADER_SECRET));
    }

    @Test
    void secretsSealedBeforeRowBindingAreReSealedAndStillOpen() throws Exception {
        ServerDef http = httpServer(unique("legacy-http"));
        jdbc.sql("UPDATE servers SET headers_sealed = ? WHERE id = ?")
                .params(secrets.encrypt(Json.string(Map.of("Authorization", HEADER_SECRET))), http.id()).update();
        new SealedRowsUpgrade(jdbc, secrets).upgrade();
        String sealed = column(jdbc.sql("SELECT * FROM servers WHERE id = ?").param(http.id()).query().singleRow(), "headers_sealed");
        assertThat(sealed).startsWith("v2:");
        assertThat(fresh().snapshot().servers().get(http.id()).headers()).containsExactly(Map.entry("Authorization", HEADER_SECRET));
    }

    private static String column(Map<String, Object> row, String name) {
        return row.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> (String) e.getValue())
                .findFirst().orElseThrow();
    }

    @Test
    void connectionAndAdminTokensAreStoredOnlyAsHashes() throws Exception {
        GatewayDef gw = catalog.createGateway(unique("hashes"));
        Host host = catalog.createHost(unique("agent"), "api-token");
        IssuedConnection issued = catalog.createConnection(host.id(), gw.id());
        String rotated = catalog.rotateConnectionToken(catalog.createConnection(host.id(), gw.id()).connection().id());
        String adminToken = "gha_" + unique("admin-token-under-test");
        adminTokens.ensure(adminToken, "test");

        assertThat(jdbc.sql("SELECT token_hash FROM connections WHERE id = ?").param(issued.connection().id()).query(String.class).single())
                .isEqualTo(TokenHashes.sha256(issued.token()));
        assertThat(adminTokens.authenticate(adminToken)).isPresent();
        List<String> everyValue = everyStoredValue();
        assertThat(everyValue).isNotEmpty().contains(TokenHashes.sha256(rotated)).doesNotContain(TokenHashes.sha256(adminToken));
        for (String token : List.of(issued.token(), rotated, adminToken)) {
            assertThat(everyValue).noneMatch(v -> v.contains(token));
        }
    }

    /** Every non-null value in every table of the schema, as text. */
    private List<String> everyStoredValue() throws SQLException {
        List<String> values = new ArrayList<>();
        try (var c = dataSource.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = meta.getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    tables.add(rs.getString("TABLE_NAME"));
                }
            }
            assertThat(tables).map(String::toLowerCase).contains("servers", "connections", "admin_tokens", "log_records");
            for (String table : tables) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            String v = rs.getString(i);
                            if (v != null) {
                                values.add(v);
                            }
                        }
                    }
                }
            }
        }
        return values;
    }

    private static LogRecord record(Instant time, String gateway, String connection, String tool, String status) {
        return new LogRecord(time, "1", "sess-1", connection, gateway, "srv_x", null, "client", "request", "tools/call", tool,
                12.5, status, null, null, null, Json.tree("{\"name\":\"" + tool + "\",\"arguments\":{\"q\":\"hello world\"}}"), null);
    }

    @Test
    void auditRecordsAreReadBackNewestFirstWithFilters() {
        String gw = unique("gw");
        Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
        auditLog.record(record(t0, gw, "conn-a", "search", "ok"));
        auditLog.record(record(t0.plusSeconds(60), gw, "conn-b", "search", "ok"));
        auditLog.record(record(t0.plusSeconds(120), gw, "conn-a", "fetch", "error"));
        auditLog.record(record(t0.plusSeconds(180), gw, "conn-b", "fetch", "ok"));
        auditLog.awaitWritten(auditLog.record(record(t0.plusSeconds(240), unique("other-gw"), "conn-a", "search", "ok")), WAIT);

        List<Map<String, Object>> all = logQuery.find(new LogQuery.Filter(gw, null, null, null, null, null, null, 100));
        assertThat(all).extracting(r -> r.get("time"))
                .containsExactly("2026-03-01T10:03:00Z", "2026-03-01T10:02:00Z", "2026-03-01T10:01:00Z", "2026-03-01T10:00:00Z");
        Map<String, Object> newest = all.getFirst();
        assertThat(newest).containsEntry("gatewayId", gw).containsEntry("connectionId", "conn-b").containsEntry("tool", "fetch")
                .containsEntry("method", "tools/call").containsEntry("serverId", "srv_x").containsEntry("status", "ok")
                .containsEntry("durationMs", 12.5).containsKeys("inputTokens", "outputTokens", "decisions");
        assertThat(((Number) newest.get("inputTokens")).intValue()).isPositive();
        assertThat(newest.get("outputTokens")).isNull();
        assertThat(newest).containsEntry("tokensEstimated", false);

        assertThat(logQuery.find(new LogQuery.Filter(gw, "conn-a", null, null, null, null, null, 100)))
                .extracting(r -> r.get("tool")).containsExactly("fetch", "search");
        assertThat(logQuery.find(new LogQuery.Filter(gw, null, null, null, "search", null, null, 100)))
                .extracting(r -> r.get("connectionId")).containsExactly("conn-b", "conn-a");
        assertThat(logQuery.find(new LogQuery.Filter(gw, null, null, "srv_none", null, null, null, 100))).isEmpty();
        // from is inclusive, to is exclusive
        assertThat(logQuery.find(new LogQuery.Filter(gw, null, null, null, null, t0.plusSeconds(60), t0.plusSeconds(180), 100)))
                .extracting(r -> r.get("time")).containsExactly("2026-03-01T10:02:00Z", "2026-03-01T10:01:00Z");
        assertThat(logQuery.find(new LogQuery.Filter(gw, null, null, null, null, null, null, 2)))
                .extracting(r -> r.get("time")).containsExactly("2026-03-01T10:03:00Z", "2026-03-01T10:02:00Z");
    }

    @Test
    void awaitingARecordsSequenceReturnsOnceItAndEveryEarlierRecordIsInTheDatabase() {
        String gw = unique("barrier");
        Instant t0 = Instant.now();
        long first = auditLog.record(record(t0, gw, "conn", "tool", "ok"));
        long last = first;
        for (int i = 1; i < 2_000; i++) {
            last = auditLog.record(record(t0.plusMillis(i), gw, "conn", "tool", "ok"));
        }
        assertThat(last - first).as("consecutive sequence numbers").isEqualTo(1_999);
        auditLog.awaitWritten(last, WAIT);
        assertThat(auditLog.lastWritten()).isGreaterThanOrEqualTo(last);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM log_records WHERE gateway_id = ?").param(gw).query(Long.class).single())
                .isEqualTo(2_000);
    }

    @Test
    void auditRecordsQueuedBeforeShutdownAreAllWritten() {
        // A separate instance, so stopping it leaves the shared context's audit log running.
        AuditLog log = new AuditLog(jdbcTemplate, transactions, auditProperties, props, secrets,
                java.util.List.of(), null);
        log.start();
        String gw = unique("shutdown");
        int n = 3_000;
        Instant t0 = Instant.now();
        for (int i = 0; i < n; i++) {
            log.record(record(t0.plusMillis(i), gw, "conn-" + (i % 7), "tool-" + (i % 3), "ok"));
        }
        log.stop();
        assertThat(log.isRunning()).isFalse();
        assertThat(log.lastWritten()).isEqualTo(log.lastQueued()).isEqualTo(n);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM log_records WHERE gateway_id = ?").param(gw).query(Long.class).single())
                .isEqualTo(n);
    }

    /** Two writers on one database (two replicas) take turns on the chain head: one unbroken chain. */
    @Test
    void twoWritersOnOneDatabaseExtendOneChain() throws Exception {
        AuditLog other = new AuditLog(jdbcTemplate, transactions, auditProperties, props, secrets, java.util.List.of(), null);
        other.start();
        try {
            String gw = unique("two-writers");
            Instant t0 = Instant.now();
            int n = 400;
            java.util.List<Thread> producers = new java.util.ArrayList<>();
            for (AuditLog writer : java.util.List.of(auditLog, other)) {
                producers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < n; i++) {
                        writer.record(record(t0.plusMillis(i), gw, "conn-two", "tool-" + (i % 5), "ok"));
                        if (i % 20 == 0) {
                            Thread.onSpinWait();
                            Thread.yield();
                        }
                    }
                }));
            }
            for (Thread t : producers) {
                t.join();
            }
            auditLog.awaitQueuedWritten(Duration.ofSeconds(60));
            other.awaitQueuedWritten(Duration.ofSeconds(60));
            assertThat(jdbc.sql("SELECT COUNT(*) FROM log_records WHERE gateway_id = ?").param(gw).query(Long.class).single())
                    .isEqualTo(2L * n);
            LogVerifier.Result r = logVerifier.verify();
            assertThat(r.ok()).as("one chain across both writers: %s", r.firstBroken()).isTrue();
        } finally {
            other.stop();
        }
    }

    @Test
    void theHashChainShowsTheFirstChangedOrRemovedRecord() {
        String gw = unique("chain");
        Instant t0 = Instant.parse("2026-04-01T10:00:00.123456789Z");
        for (int i = 0; i < 6; i++) {
            auditLog.record(record(t0.plusSeconds(i), gw, "conn-chain", "tool-" + i, "ok"));
        }
        auditLog.awaitQueuedWritten(Duration.ofSeconds(30));
        LogVerifier.Result untouched = logVerifier.verify();
        assertThat(untouched.ok()).as("untouched chain: %s", untouched.firstBroken()).isTrue();
        List<Long> ids = jdbcTemplate.queryForList("SELECT id FROM log_records WHERE gateway_id = ? ORDER BY id", Long.class, gw);
        assertThat(ids).hasSize(6);

        // An edited field: that very record is reported.
        long edited = ids.get(2);
        jdbcTemplate.update("UPDATE log_records SET tool = 'innocent' WHERE id = ?", edited);
        LogVerifier.Result r = logVerifier.verify();
        assertThat(r.ok()).isFalse();
        assertThat(r.firstBroken()).containsEntry("id", edited);
        assertThat((String) r.firstBroken().get("reason")).contains("changed");
        jdbcTemplate.update("UPDATE log_records SET tool = 'tool-2' WHERE id = ?", edited);
        assertThat(logVerifier.verify().ok()).as("restored").isTrue();
        // The estimate flag is covered too (these short counts are exact)
        jdbcTemplate.update("UPDATE log_records SET tokens_estimated = TRUE WHERE id = ?", edited);
        assertThat(logVerifier.verify().firstBroken()).containsEntry("id", edited);
        jdbcTemplate.update("UPDATE log_records SET tokens_estimated = FALSE WHERE id = ?", edited);
        assertThat(logVerifier.verify().ok()).as("restored").isTrue();

        // An edited field with a recomputed plain SHA-256 in place of the keyed hash: still caught.
        jdbcTemplate.update("UPDATE log_records SET status = 'error', chain_hash = ? WHERE id = ?", "f".repeat(64), ids.get(3));
        assertThat(logVerifier.verify().firstBroken()).containsEntry("id", ids.get(3));
        jdbcTemplate.update("UPDATE log_records SET status = 'ok' WHERE id = ?", ids.get(3));
        Map<String, Object> row = jdbcTemplate.queryForMap("SELECT chain_prev FROM log_records WHERE id = ?", ids.get(4));
        jdbcTemplate.update("UPDATE log_records SET chain_hash = ? WHERE id = ?", row.get("chain_prev"), ids.get(3));
        assertThat(logVerifier.verify().ok()).isTrue();

        // A removed record: the one after it no longer links.
        jdbcTemplate.update("DELETE FROM log_records WHERE id = ?", ids.get(1));
        r = logVerifier.verify();
        assertThat(r.firstBroken()).containsEntry("id", ids.get(2));
        assertThat((String) r.firstBroken().get("reason")).contains("removed");
        // Records older than every remaining one are what retention deletes: the chain starts later.
        jdbcTemplate.update("DELETE FROM log_records WHERE id <= ?", ids.get(1));
        assertThat(logVerifier.verify().ok()).isTrue();
    }
}
