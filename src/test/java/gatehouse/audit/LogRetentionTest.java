package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.SecretBox;
import gatehouse.testing.TestDatabase;

/** Retention removes the old part of the log and leaves the hash chain verifiable. */
class LogRetentionTest {

    @Test
    void oldRecordsGoTheRestStaysAndTheChainStillVerifies() throws Exception {
        DriverManagerDataSource ds = new DriverManagerDataSource("jdbc:h2:mem:retention-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "sa", "");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        GatehouseProperties props = new GatehouseProperties(TestDatabase.newDataDir("retention").toString(), "http://localhost", null);
        SecretBox secrets = new SecretBox(props);
        AuditProperties audit = new AuditProperties(Duration.ofDays(90), true, 1 << 20, 1000, 100);
        AuditLog log = new AuditLog(jdbc, new DataSourceTransactionManager(ds), audit, props, secrets,
                java.util.List.of(), null);
        log.start();
        Instant now = Instant.now();
        log.record(record(now.minus(Duration.ofDays(400)), "ancient"));
        log.record(record(now.minus(Duration.ofDays(100)), "old"));
        log.record(record(now.minus(Duration.ofDays(1)), "recent"));
        // spooled during an outage and written late: older than the period, but after a kept record
        log.record(record(now.minus(Duration.ofDays(95)), "late"));
        log.record(record(now, "now"));
        log.stop();

        LogRetention retention = new LogRetention(jdbc, audit);
        assertThat(retention.deleteOlderThan(now.minus(audit.retention()))).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT tool FROM log_records ORDER BY id", String.class)).isEqualTo(List.of("recent", "late", "now"));
        LogVerifier.Result r = new LogVerifier(ds, new DataSourceTransactionManager(ds), secrets).verify();
        assertThat(r.ok()).isTrue();
        assertThat(r.checked()).isEqualTo(3);
    }

    private static LogRecord record(Instant time, String tool) {
        return new LogRecord(time, "1", "s", "c", "g", "srv", null, "client", "request", "tools/call", tool, 1.0, "ok", null, null,
                null, null, null);
    }
}
