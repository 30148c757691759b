package gatehouse.audit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the log records ({@code gatehouse.audit.*}); see docs/observability.md.
 *
 * @param retention      records older than this are deleted (hourly); {@code 0} keeps them forever
 * @param hashChain      chain each record to the one before with an HMAC, so edits and deletions show
 * @param spoolMaxBytes  while the database is unreachable, records wait in a file in the data
 *                       directory up to this size; beyond it they are dropped (counted, alerted)
 * @param queueCapacity  records waiting in memory for the writer; beyond it the writer spools
 * @param batchSize      records per database batch
 */
@ConfigurationProperties("gatehouse.audit")
public record AuditProperties(
        @DefaultValue("90d") Duration retention,
        @DefaultValue("true") boolean hashChain,
        @DefaultValue("268435456") long spoolMaxBytes,
        @DefaultValue("100000") int queueCapacity,
        @DefaultValue("500") int batchSize) {

    public AuditProperties {
        if (retention == null || retention.isNegative()) {
            throw new IllegalArgumentException("gatehouse.audit.retention must be a positive duration or 0 (keep forever)");
        }
        if (queueCapacity < 1000 || batchSize < 1 || batchSize > 10_000 || spoolMaxBytes < 0) {
            throw new IllegalArgumentException("gatehouse.audit: queue-capacity >= 1000, batch-size 1..10000, spool-max-bytes >= 0");
        }
    }
}
