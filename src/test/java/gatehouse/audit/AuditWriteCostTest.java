package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.SecretBox;
import gatehouse.testing.TestDatabase;

/**
 * What writing log records costs the embedded database, counted in its own file writes (not in
 * time): on a file database set up as the application sets it up (every commit written through,
 * migrated with the H2 migrations), a batch of records is one write, not one more for every few
 * dozen ids drawn. Ids stay in insertion order across a restart and the chain verifies.
 */
class AuditWriteCostTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The URL options of GatehouseApplication's embedded database. */
    private static JdbcDataSource database(Path dir) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("gatehouse") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        ds.setUser("sa");
        return ds;
    }

    private static void migrate(JdbcDataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration", "classpath:db/vendor/h2").load().migrate();
    }

    private static long fileWrites(JdbcTemplate jdbc) {
        return Long.parseLong(jdbc.queryForObject(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_WRITE'", String.class));
    }

    private static LogRecord record(Instant time, int i) {
        return new LogRecord(time, "corr-" + i, "sess-1", "conn-" + (i % 7), "gw-cost", "srv-" + (i % 3), "user-" + (i % 5),
                "client", "request", "tools/call", "echo", 1.5, "ok", null, null, null, null, null);
    }

    private static AuditLog writer(JdbcTemplate jdbc, GatehouseProperties props, SecretBox secrets) {
        // a whole second to gather and 500 records a batch: the records below go in four full batches
        AuditProperties audit = new AuditProperties(Duration.ZERO, true, 64L * 1024 * 1024, 10_000, 500, Duration.ofSeconds(1));
        return new AuditLog(jdbc, new DataSourceTransactionManager(jdbc.getDataSource()), audit, props, secrets, List.of(), null);
    }

    @Test
    void aBatchOfRecordsIsOneFileWriteAndIdsFollowTheChainAcrossARestart() throws IOException, SQLException {
        Path dataDir = TestDatabase.newDataDir("audit-cost");
        GatehouseProperties props = new GatehouseProperties(dataDir.toString(), "http://localhost", null);
        SecretBox secrets = new SecretBox(props);
        JdbcDataSource ds = database(dataDir);
        // An open connection keeps the database open between statements, as the connection pool does
        // (with none open, the embedded database closes, and a close writes everything).
        Connection open = ds.getConnection();
        migrate(ds);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        int n = 2_000;

        AuditLog log = writer(jdbc, props, secrets);
        log.start();
        long before;
        try {
            before = fileWrites(jdbc);
            Instant t0 = Instant.now();
            for (int i = 0; i < n; i++) {
                log.record(record(t0.plusMillis(i), i));
            }
            log.awaitQueuedWritten(WAIT);
        } finally {
            log.stop();
        }
        long writes = fileWrites(jdbc) - before;
        // The first batch reads the chain head under its lock (lock, read, move); the others extend
        // the head the writer stored and only move it if it is still that one: one statement each.
        assertThat(log.headStatements()).as("statements on the chain head for four batches").isEqualTo(3 + 3);
        // Four commits, plus whatever the database writes of its own. Drawing ids from a cache of 32
        // wrote the sequence through at every 32nd id: at least n / 32 = 62 more.
        assertThat(writes).as("file writes for %d records in batches of 500", n).isLessThan(n / 32);

        // An orderly close and a new start (as a restart): ids go on above the earlier ones.
        jdbc.execute("SHUTDOWN");
        open.close();
        ds = database(dataDir);
        open = ds.getConnection();
        migrate(ds);
        jdbc = new JdbcTemplate(ds);
        AuditLog again = writer(jdbc, props, secrets);
        again.start();
        try {
            Instant t1 = Instant.now().plusSeconds(5);
            for (int i = 0; i < 100; i++) {
                again.record(record(t1.plusMillis(i), n + i));
            }
            again.awaitQueuedWritten(WAIT);
        } finally {
            again.stop();
        }
        List<String> correlations = jdbc.queryForList("SELECT correlation_id FROM log_records ORDER BY id", String.class);
        assertThat(correlations).hasSize(n + 100);
        for (int i = 0; i < n + 100; i++) {
            assertThat(correlations.get(i)).as("record in id order").isEqualTo("corr-" + i);
        }
        LogVerifier.Result verified = new LogVerifier(ds, new DataSourceTransactionManager(ds), secrets).verify();
        assertThat(verified.ok()).as("chain across the restart: %s", verified.firstBroken()).isTrue();
        assertThat(verified.checked()).isEqualTo(n + 100);
        jdbc.execute("SHUTDOWN");
        open.close();
    }
}
