package gatehouse.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.SecretBox;
import gatehouse.testing.TestDatabase;

/** An audit log outside Spring, on a database of the test's own, with a fresh data directory. */
public final class AuditLogs {
    private AuditLogs() {
    }

    public static AuditLog standalone(JdbcTemplate jdbc) {
        return standalone(jdbc, new GatehouseProperties(TestDatabase.newDataDir("audit").toString(), "http://localhost", null),
                new AuditProperties(Duration.ZERO, true, 64L * 1024 * 1024, 1000, 500));
    }

    public static AuditLog standalone(JdbcTemplate jdbc, GatehouseProperties props, AuditProperties audit) {
        try {
            return standalone(jdbc, props, audit, new SecretBox(props));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static AuditLog standalone(JdbcTemplate jdbc, GatehouseProperties props, AuditProperties audit, SecretBox secrets) {
        return new AuditLog(jdbc, new DataSourceTransactionManager(jdbc.getDataSource()), audit, props, secrets,
                java.util.List.of(), null);
    }
}
