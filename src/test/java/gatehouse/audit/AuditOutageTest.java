package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.SecretBox;
import gatehouse.testing.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real database outage: a PostgreSQL server of this test's own is stopped while records arrive
 * and started again on the same data. Nothing is lost, the order and the hash chain hold, and an
 * orderly stop during the outage leaves the records in the spool for the next start.
 */
class AuditOutageTest {
    private final Path pgData = TestDatabase.newDataDir("outage-pg");
    private final Path dataDir = TestDatabase.newDataDir("outage-data");
    private final int port = freePort();
    private EmbeddedPostgres pg;

    @AfterEach
    void stopDatabase() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    private void startDatabase() throws IOException {
        pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(port).start();
    }

    private void stopDatabaseNow() throws IOException {
        pg.close();
        pg = null;
    }

    @Test
    void recordsWrittenDuringAnOutageArriveAfterItInOrderAndChained() throws Exception {
        startDatabase();
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=2",
                "postgres", "");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        GatehouseProperties props = new GatehouseProperties(dataDir.toString(), "http://localhost", null);
        SecretBox secrets = new SecretBox(props);
        AuditProperties audit = new AuditProperties(Duration.ZERO, true, 64L * 1024 * 1024, 1000, 50);

        AuditLog log = newLog(jdbc, ds, audit, props, secrets);
        log.start();
        Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
        for (int i = 0; i < 40; i++) {
            log.record(record(t0.plusMillis(i), i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> count(jdbc) == 40);

        stopDatabaseNow();
        for (int i = 40; i < 240; i++) {
            log.record(record(t0.plusMillis(i), i));
        }
        Path spool = dataDir.resolve(AuditLog.SPOOL_FILE);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(spool) && Files.lines(spool).count() == 200);
        assertThat(log.spoolBytes()).as("the spool gauge").isEqualTo(Files.size(spool));

        startDatabase();
        await().atMost(Duration.ofSeconds(60)).until(() -> count(jdbc) == 240);
        assertThat(spool).doesNotExist();
        assertThat(log.spoolBytes()).isZero();
        assertThat(log.queueDepth()).isZero();
        List<String> tools = jdbc.queryForList("SELECT tool FROM log_records ORDER BY id", String.class);
        assertThat(tools).hasSize(240);
        for (int i = 0; i < 240; i++) {
            assertThat(tools.get(i)).isEqualTo("tool-" + i);
        }

        // An orderly stop while the database is away: everything queued goes to the spool ...
        stopDatabaseNow();
        for (int i = 240; i < 300; i++) {
            log.record(record(t0.plusMillis(i), i));
        }
        log.stop();
        assertThat(Files.lines(spool).count()).isEqualTo(60);
        assertThat(log.dropped()).isZero();

        // ... and the next start writes it before it returns (before the web server takes traffic).
        startDatabase();
        AuditLog next = newLog(jdbc, ds, audit, props, secrets);
        next.start();
        assertThat(count(jdbc)).as("the spool is written when start() returns").isEqualTo(300);
        next.stop();
        assertThat(spool).doesNotExist();
        LogVerifier verifier = new LogVerifier(ds, new DataSourceTransactionManager(ds), secrets);
        LogVerifier.Result result = verifier.verify();
        assertThat(result.ok()).as(String.valueOf(result.firstBroken())).isTrue();
        assertThat(result.checked()).isEqualTo(300);
    }

    private static AuditLog newLog(JdbcTemplate jdbc, DriverManagerDataSource ds, AuditProperties audit, GatehouseProperties props,
                                   SecretBox secrets) {
        return new AuditLog(jdbc, new DataSourceTransactionManager(ds), audit, props, secrets,
                java.util.List.of(), null);
    }

    private static long count(JdbcTemplate jdbc) {
        try {
            return jdbc.queryForObject("SELECT COUNT(*) FROM log_records", Long.class);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static LogRecord record(Instant time, int i) {
        return new LogRecord(time, Integer.toString(i), "sess", "conn-outage", "gw-outage", "srv", null, "client", "request",
                "tools/call", "tool-" + i, 1.5, "ok", null, null, null, null, null);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
