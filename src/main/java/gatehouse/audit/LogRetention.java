package gatehouse.audit;

import java.sql.Timestamp;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes log records older than {@code gatehouse.audit.retention}, hourly, in chunks so a large
 * backlog never holds one long transaction. Only the oldest part of the log goes: a record is
 * deleted when it and every record written before it are past the retention period (records are
 * written in time order, so this is the same but for records that waited in the spool). That keeps
 * the hash chain whole: verification starts at the oldest record left.
 */
@Component
public class LogRetention {
    private static final Logger log = LoggerFactory.getLogger(LogRetention.class);
    private static final int CHUNK = 10_000;

    private final JdbcTemplate jdbc;
    private final AuditProperties props;

    LogRetention(JdbcTemplate jdbc, AuditProperties props) {
        this.jdbc = jdbc;
        this.props = props;
    }

    @Scheduled(initialDelayString = "PT1M", fixedDelayString = "PT1H")
    void scheduled() {
        if (props.retention().isZero()) {
            return;
        }
        try {
            int n = deleteOlderThan(Instant.now().minus(props.retention()));
            if (n > 0) {
                log.info("deleted {} log records older than {}", n, props.retention());
            }
        } catch (RuntimeException e) {
            log.warn("log retention: could not delete old records: {}", e.getMessage());
        }
    }

    /** Deletes every record before {@code cutoff}; returns how many. */
    public int deleteOlderThan(Instant cutoff) {
        int total = 0;
        while (true) {
            Long firstKept = jdbc.queryForObject("SELECT MIN(id) FROM log_records WHERE time >= ?", Long.class, Timestamp.from(cutoff));
            int n = jdbc.update("DELETE FROM log_records WHERE id IN (SELECT id FROM log_records WHERE time < ? AND id < ? ORDER BY id LIMIT "
                    + CHUNK + ")", Timestamp.from(cutoff), firstKept == null ? Long.MAX_VALUE : firstKept);
            total += n;
            if (n < CHUNK) {
                return total;
            }
        }
    }
}
