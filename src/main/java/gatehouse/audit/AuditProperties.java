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
 * @param batchLinger    how long the writer gathers records after the first before it writes them
 *                       (one transaction per batch; {@code 0}: write what is queued at once). A
 *                       caller waiting for its record ({@link AuditLog#awaitWritten}) cuts it short.
 *                       The embedded database writes every commit through to its file, at a cost
 *                       per commit that dwarfs the rows': 200 ms makes ~80 records one commit at
 *                       400 records/s. A process killed without shutdown loses what is not yet
 *                       committed (at most about this long's records, plus the batch in flight).
 * @param exactTokenChars texts up to this many characters have their tokens counted exactly; a
 *                       longer one is counted on evenly spread samples of that many characters in
 *                       all and scaled to its length (tokenizing 100 KB took longer than relaying
 *                       it); {@code 0}: always exact
 */
@ConfigurationProperties("gatehouse.audit")
public record AuditProperties(
        @DefaultValue("90d") Duration retention,
        @DefaultValue("true") boolean hashChain,
        @DefaultValue("268435456") long spoolMaxBytes,
        @DefaultValue("100000") int queueCapacity,
        @DefaultValue("500") int batchSize,
        @DefaultValue("200ms") Duration batchLinger,
        @DefaultValue("4096") int exactTokenChars) {

    /** The settings without a linger: each batch is what is queued when the writer looks. */
    public AuditProperties(Duration retention, boolean hashChain, long spoolMaxBytes, int queueCapacity, int batchSize) {
        this(retention, hashChain, spoolMaxBytes, queueCapacity, batchSize, Duration.ZERO);
    }

    /** The settings with the default bound on exact token counts. */
    public AuditProperties(Duration retention, boolean hashChain, long spoolMaxBytes, int queueCapacity, int batchSize,
                           Duration batchLinger) {
        this(retention, hashChain, spoolMaxBytes, queueCapacity, batchSize, batchLinger, TokenCounter.DEFAULT_EXACT_CHARS);
    }

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public AuditProperties {
        if (retention == null || retention.isNegative()) {
            throw new IllegalArgumentException("gatehouse.audit.retention must be a positive duration or 0 (keep forever)");
        }
        if (queueCapacity < 1000 || batchSize < 1 || batchSize > 10_000 || spoolMaxBytes < 0) {
            throw new IllegalArgumentException("gatehouse.audit: queue-capacity >= 1000, batch-size 1..10000, spool-max-bytes >= 0");
        }
        if (batchLinger == null || batchLinger.isNegative() || batchLinger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("gatehouse.audit.batch-linger must be between 0 and 1s");
        }
        if (exactTokenChars != 0 && exactTokenChars < TokenCounter.MIN_EXACT_CHARS) {
            throw new IllegalArgumentException("gatehouse.audit.exact-token-chars must be 0 (always exact) or at least "
                    + TokenCounter.MIN_EXACT_CHARS);
        }
    }
}
