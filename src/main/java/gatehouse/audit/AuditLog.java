package gatehouse.audit;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Json;
import gatehouse.platform.SecretBox;

/**
 * Writes log records in batches on its own thread, so the request path only enqueues. The queue
 * is bounded; when it is full, producers wait rather than drop. Each record gets a sequence number
 * in queue order, and {@link #awaitWritten} blocks until the writer has dealt with a given number:
 * the one barrier for whoever must know a record is in the database (shutdown, tests, exports).
 * When the database does not answer,
 * batches go to a bounded spool file in the data directory and are written, in order, once it
 * answers again (an alert says how long it was away and whether anything was dropped). On shutdown
 * every queued record is written, or spooled for the next start, before the database closes (this
 * bean stops after the web server). Each record is chained to the one before by an HMAC
 * ({@link HashChain}) unless switched off.
 */
@Component
public class AuditLog implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    static final String SPOOL_FILE = "audit-spool.jsonl";
    static final String ALERT_OUTAGE = "audit-database-unavailable";
    static final String ALERT_DROPPED = "audit-records-dropped";
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    /**
     * After another writer (a replica) moved the chain head, how long each batch locks and reads it
     * first instead of assuming the head this writer stored (which then fails more often than not).
     */
    static final Duration SHARED_HEAD_LOCKING = Duration.ofSeconds(60);
    /** How long shutdown waits for the writer to write or spool what is queued. */
    private final Duration shutdownWait = Duration.ofSeconds(60);

    private final JdbcTemplate jdbc;
    /** The same database, counting the statements on the chain head. */
    private final CountingTemplate headStatements;
    private final AuditProperties props;
    private final BlockingQueue<Queued> queue;
    /** Held while a record is numbered and queued, so queue order is sequence order. */
    private final ReentrantLock enqueue = new ReentrantLock();
    private long lastQueued; // guarded by enqueue
    private final Object progress = new Object();
    private long lastWritten; // guarded by progress: the highest sequence the writer is done with
    private final AtomicLong dropped = new AtomicLong();
    private final TokenCounter tokens;
    private final Decisions.Memo decisions = new Decisions.Memo(); // writer thread only
    /** Gives up the core between short stretches of a batch's work (writer thread, or start() before it runs). */
    private final Breather breather = new Breather();
    /**
     * Rows per statement batch when the database runs in this process (the embedded H2): the writer
     * may yield between two (see {@link Breather}). A database on the network (PostgreSQL) does its
     * work on its own machine, and a batch goes to it as one statement batch, one round trip.
     */
    static final int INSERTS_PER_STATEMENT_BATCH = 8;
    /** Whether the database runs in this process; decided at {@link #start()}. */
    private volatile boolean inProcessDatabase;
    private final HashChain chain;
    private final AuditSpool spool;
    private final List<LogRecordListener> listeners;
    /** Where a past outage is reported; null in tests that build a log of their own. */
    private final AlertService alerts;
    /** The highest sequence someone waits for ({@link #awaitWritten}): the writer stops gathering for it. */
    private final AtomicLong wanted = new AtomicLong();
    private volatile boolean running;
    private volatile Thread writer;
    /**
     * While the writer lingers: how many queued records fill its batch (a producer that sees the
     * queue that long wakes it); otherwise {@link Integer#MAX_VALUE}.
     */
    private volatile int lingerFull = Integer.MAX_VALUE;
    /** How often the writer's waits ended (a record, a full batch, a waiting caller, the linger's end, a timeout). */
    private final LongAdder wakeUps = new LongAdder();
    private final TransactionTemplate tx;
    // writer thread only:
    private Instant outageSince;
    private long spooledDuringOutage;
    private long droppedDuringOutage;
    private long nextAttemptNanos;
    private Duration backoff = Duration.ofMillis(250);
    /** The chain's head as this writer stored it last; null: read it (and lock it) from the database. */
    private String head;
    /** Until then the head is read under its lock for every batch: another writer moved it lately. */
    private long lockHeadUntil = System.nanoTime();
    private long spooledUpTo; // the highest sequence sent to the spool by this process

    private record Queued(long sequence, LogRecord record) {
    }

    /** {@link #awaitWritten} gave up: the writer has not reached the sequence (database unavailable?). */
    public static final class NotWrittenInTime extends IllegalStateException {
        NotWrittenInTime(long sequence, long written, Duration timeout) {
            super("log record " + sequence + " not written within " + timeout + " (the writer is at " + written + ")");
        }
    }

    public AuditLog(JdbcTemplate jdbc, PlatformTransactionManager transactions, AuditProperties props, GatehouseProperties gatehouse,
                    SecretBox secrets, List<LogRecordListener> listeners, AlertService alerts) {
        this.jdbc = jdbc;
        this.headStatements = new CountingTemplate(jdbc);
        this.tx = new TransactionTemplate(transactions);
        this.props = props;
        this.tokens = new TokenCounter(props.exactTokenChars());
        this.queue = new LinkedBlockingQueue<>(props.queueCapacity());
        this.chain = props.hashChain() ? new HashChain(secrets.derivedKey("audit-hash-chain")) : null;
        this.spool = new AuditSpool(Path.of(gatehouse.dataDir()).resolve(SPOOL_FILE), props.spoolMaxBytes());
        this.listeners = List.copyOf(listeners);
        this.alerts = alerts;
    }

    /**
     * Queues a record for the writer and returns its sequence number (1, 2, … since start; not
     * kept across restarts). Waits while the queue is full; never drops the record, even when
     * interrupted (the interrupt is kept for the caller).
     */
    public long record(LogRecord r) {
        boolean interrupted = false;
        enqueue.lock();
        try {
            Queued q = new Queued(lastQueued + 1, r);
            while (true) {
                try {
                    queue.put(q);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the interrupt came from shutdown: the writer still drains the queue
                }
            }
            lastQueued = q.sequence();
            if (queue.size() >= lingerFull) {
                LockSupport.unpark(writer); // the batch the writer gathers is full: no need to wait out the linger
            }
            return q.sequence();
        } finally {
            enqueue.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The sequence number of the latest record queued (0 before the first). */
    public long lastQueued() {
        enqueue.lock();
        try {
            return lastQueued;
        } finally {
            enqueue.unlock();
        }
    }

    /**
     * The highest sequence number the writer is done with: in the database, or dropped and
     * reported. A record waiting in the spool is not done until the spool is written.
     */
    public long lastWritten() {
        synchronized (progress) {
            return lastWritten;
        }
    }

    /**
     * Blocks until the writer is done with record {@code sequence} and every record before it.
     *
     * @throws NotWrittenInTime when that takes longer than {@code timeout}
     */
    public void awaitWritten(long sequence, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        wanted.accumulateAndGet(sequence, Math::max);
        LockSupport.unpark(writer); // a lingering writer writes what it gathered now
        synchronized (progress) {
            while (lastWritten < sequence) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new NotWrittenInTime(sequence, lastWritten, timeout);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for log record " + sequence, e);
                }
            }
        }
    }

    /** Blocks until every record queued so far is written; see {@link #awaitWritten}. */
    public void awaitQueuedWritten(Duration timeout) {
        awaitWritten(lastQueued(), timeout);
    }

    private void markWritten(long sequence) {
        synchronized (progress) {
            if (sequence > lastWritten) {
                lastWritten = sequence;
                progress.notifyAll();
            }
        }
    }

    @Override
    public void start() {
        inProcessDatabase = gatehouse.platform.InProcessDatabase.is(jdbc.getDataSource());
        // What an earlier run left in the spool is written before the web server takes traffic, so
        // once the gateway answers, every record from before the restart can be read.
        if (!spool.isEmpty()) {
            replaySpool();
            if (!spool.isEmpty()) {
                log.warn("{} bytes of log records from an earlier run stay in {} until the database answers", spool.bytes(), SPOOL_FILE);
            }
        }
        running = true;
        writer = Thread.ofPlatform().name("audit-writer").daemon(true).start(this::run);
    }

    private void run() {
        List<Queued> batch = new ArrayList<>(props.batchSize());
        while (running || !queue.isEmpty()) {
            try {
                Queued first = queue.poll(200, TimeUnit.MILLISECONDS);
                wakeUps.increment();
                if (first == null) {
                    if (!spool.isEmpty() && System.nanoTime() >= nextAttemptNanos) {
                        replaySpool();
                    }
                    continue;
                }
                batch.add(first);
                gather(batch);
                List<StoredRecord> rows = new ArrayList<>(batch.size());
                breather.start();
                for (Queued q : batch) {
                    rows.add(StoredRecord.of(q.record(), tokens, decisions));
                    breather.pause();
                }
                tell(rows);
                store(rows, batch.getLast().sequence());
            } catch (InterruptedException e) {
                // stop() interrupts only after running=false; the loop drains what is left
            } catch (RuntimeException e) {
                log.error("log writer: unexpected failure; {} records lost: {}", batch.size(), e.toString());
                dropped.addAndGet(batch.size());
                markWritten(batch.getLast().sequence());
            } finally {
                batch.clear();
            }
        }
        if (!spool.isEmpty()) {
            replaySpool(); // one last try; what stays spooled is written at the next start
            if (!spool.isEmpty()) {
                log.error("the log database is unavailable: {} bytes of log records stay in {} for the next start", spool.bytes(),
                        SPOOL_FILE);
            }
        }
    }

    /**
     * Fills the batch with what is queued, and keeps gathering for up to the linger while it is not
     * full: under steady traffic one transaction (chain head read, inserts, chain head update)
     * then carries many records instead of one or two. The writer sleeps through the linger
     * rather than waking for every record: it is woken early only by a producer that fills the
     * batch, a caller waiting for a record ({@link #awaitWritten}) and shutdown, which end the
     * wait at once.
     */
    private void gather(List<Queued> batch) {
        int max = props.batchSize();
        queue.drainTo(batch, max - batch.size());
        long lingerNanos = props.batchLinger().toNanos();
        if (lingerNanos <= 0) {
            return;
        }
        long deadline = System.nanoTime() + lingerNanos;
        long first = batch.getFirst().sequence();
        while (batch.size() < max && running && wanted.get() < first) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            // published before the queue is looked at, so a producer that fills the batch after
            // this look sees it and wakes the writer
            lingerFull = max - batch.size();
            if (queue.size() < lingerFull && running && wanted.get() < first) {
                LockSupport.parkNanos(this, left);
                wakeUps.increment();
            }
            lingerFull = Integer.MAX_VALUE;
            if (Thread.interrupted()) {
                break; // what is gathered is written now; nothing taken from the queue is lost
            }
            queue.drainTo(batch, max - batch.size());
        }
        queue.drainTo(batch, max - batch.size());
    }

    /** How often the writer woke up since start: about once per batch under steady traffic, not once per record. */
    long wakeUps() {
        return wakeUps.sum();
    }

    private void tell(List<StoredRecord> rows) {
        for (LogRecordListener l : listeners) {
            for (StoredRecord r : rows) {
                try {
                    l.recorded(r);
                } catch (RuntimeException e) {
                    log.warn("log record listener {} failed: {}", l.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }

    /** Writes in order: what is spooled first, then these rows; spools them when the database is away. */
    private void store(List<StoredRecord> rows, long lastSequence) {
        if (!spool.isEmpty() && System.nanoTime() >= nextAttemptNanos) {
            replaySpool();
        }
        if (spool.isEmpty()) {
            try {
                writeOrIsolate(rows);
                markWritten(lastSequence);
                return;
            } catch (RuntimeException e) {
                outage(e);
            }
        }
        spooledUpTo = lastSequence;
        int lost = spool.append(rows);
        spooledDuringOutage += rows.size() - lost;
        if (lost > 0) {
            droppedDuringOutage += lost;
            dropped.addAndGet(lost);
            log.error("log spool full ({} bytes): dropped {} log records", spool.bytes(), lost);
        }
    }

    private void replaySpool() {
        try {
            spool.replay(props.batchSize(), this::writeOrIsolate);
            markWritten(spooledUpTo);
            recovered();
        } catch (RuntimeException e) {
            outage(e);
        }
    }

    private void outage(RuntimeException e) {
        if (outageSince == null) {
            outageSince = Instant.now();
            log.error("cannot write log records (database unavailable?); spooling them to {} and retrying: {}", SPOOL_FILE,
                    e.getMessage());
        }
        nextAttemptNanos = System.nanoTime() + backoff.toNanos();
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private void recovered() {
        backoff = Duration.ofMillis(250);
        nextAttemptNanos = 0;
        if (outageSince == null) {
            return;
        }
        Instant since = outageSince;
        long spooled = spooledDuringOutage;
        long lost = droppedDuringOutage;
        outageSince = null;
        spooledDuringOutage = 0;
        droppedDuringOutage = 0;
        log.warn("log database answers again after {}; {} spooled records written, {} dropped", Duration.between(since, Instant.now()),
                spooled, lost);
        AlertService a = alerts;
        if (a == null) {
            return;
        }
        try {
            String when = "from " + since + " to " + Instant.now();
            a.raise(ALERT_OUTAGE, lost > 0 ? Alert.CRITICAL : Alert.WARNING, "log database",
                    "log records could not be written " + when + "; " + spooled + " were spooled and written later"
                            + (lost > 0 ? ", " + lost + " were dropped (spool full: gatehouse.audit.spool-max-bytes)" : ""),
                    new AlertService.About(null, null, null),
                    Json.object().put("since", since.toString()).put("spooled", spooled).put("dropped", lost));
        } catch (RuntimeException e) {
            log.warn("could not raise the log outage alert: {}", e.getMessage());
        }
    }

    /**
     * Writes the rows; if the batch fails, writes row by row so one bad record cannot block the
     * others (rows that still fail are dropped with an error; their content is not logged). Throws
     * when no row at all could be written: the database is unavailable (or refuses everything,
     * which is treated the same, so nothing is dropped silently).
     */
    private void writeOrIsolate(List<StoredRecord> rows) {
        try {
            write(rows);
            return;
        } catch (RuntimeException batchFailure) {
            if (rows.size() == 1 || !databaseAnswers()) {
                throw batchFailure;
            }
        }
        int failed = 0;
        RuntimeException last = null;
        for (StoredRecord r : rows) {
            try {
                write(List.of(r));
            } catch (RuntimeException e) {
                failed++;
                last = e;
            }
        }
        if (failed > 0) {
            if (failed == rows.size()) {
                throw last;
            }
            dropped.addAndGet(failed);
            log.error("dropped {} of {} log records that the database refused: {}", failed, rows.size(), last.getMessage());
        }
    }

    private boolean databaseAnswers() {
        try {
            jdbc.queryForObject("SELECT 1", Integer.class);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void write(List<StoredRecord> rows) {
        if (chain == null) {
            // one transaction, as with the chain: a batch the database refuses leaves no row behind,
            // so writing it again row by row (writeOrIsolate) stores none twice
            tx.executeWithoutResult(status -> insert(rows, null, null));
            return;
        }
        String known = head;
        if (known != null && System.nanoTime() - lockHeadUntil >= 0) {
            // The head this writer stored last: no read, no lock until the end, where the head moves
            // only if it is still that one. Another writer (a replica) that moved it meanwhile makes
            // this transaction undo its inserts, and the batch goes again the locking way.
            String stored;
            try {
                stored = tx.execute(status -> {
                    String last = chainAndInsert(rows, known);
                    if (headStatements.update("UPDATE log_chain_head SET hash = ? WHERE id = 1 AND hash = ?", last, known) == 1) {
                        return last;
                    }
                    status.setRollbackOnly();
                    return null;
                });
            } catch (RuntimeException e) {
                stored = null; // a lock conflict may end in an error too; the locking way tells a real failure
            }
            if (stored != null) {
                head = stored;
                return;
            }
            head = null;
            lockHeadUntil = System.nanoTime() + SHARED_HEAD_LOCKING.toNanos();
        }
        // One transaction holds the chain head's row lock from reading the last hash to storing the
        // new one, so concurrent writers (replicas) cannot fork the chain.
        head = tx.execute(status -> {
            // The row is locked by an update rather than SELECT … FOR UPDATE: the embedded database
            // caches the plan of an update and a plain select, but parses a locking select every time.
            headStatements.update("UPDATE log_chain_head SET hash = hash WHERE id = 1");
            String previous = headStatements.queryForObject("SELECT hash FROM log_chain_head WHERE id = 1", String.class);
            String last = chainAndInsert(rows, previous);
            headStatements.update("UPDATE log_chain_head SET hash = ? WHERE id = 1", last);
            return last;
        });
    }

    /** Hashes the rows onto {@code previous} and inserts them; returns the last one's hash. */
    private String chainAndInsert(List<StoredRecord> rows, String previous) {
        String[] prev = new String[rows.size()];
        String[] hash = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            prev[i] = previous;
            hash[i] = chain.hash(previous, rows.get(i));
            previous = hash[i];
        }
        insert(rows, prev, hash);
        return previous;
    }

    /** How many statements on the chain head the writer ran since start (reads, locks and moves). */
    long headStatements() {
        return headStatements.count.sum();
    }

    private void insert(List<StoredRecord> rows, String[] prev, String[] hash) {
        int[] index = {0};
        jdbc.batchUpdate("INSERT INTO log_records (time, correlation_id, session_id, connection_id, gateway_id, server_id, user_id, "
                        + "host_id, direction, kind, method, tool, duration_ms, upstream_ms, input_tokens, output_tokens, "
                        + "arguments_bytes, status, error_code, error_message, decisions, client_name, client_version, trace_id, "
                        + "chain_prev, chain_hash, tokens_estimated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows, statementBatchRows(rows.size()), (ps, r) -> {
                    int i = index[0]++;
                    if (inProcessDatabase && i > 0 && i % INSERTS_PER_STATEMENT_BATCH == 0) {
                        breather.pause(); // between two statement batches: the inserts before it are done
                    }
                    ps.setTimestamp(1, Timestamp.from(r.time()));
                    ps.setString(2, r.correlationId());
                    ps.setString(3, r.sessionId());
                    ps.setString(4, r.connectionId());
                    ps.setString(5, r.gatewayId());
                    ps.setString(6, r.serverId());
                    ps.setString(7, r.userId());
                    ps.setString(8, r.hostId());
                    ps.setString(9, r.direction());
                    ps.setString(10, r.kind());
                    ps.setString(11, r.method());
                    ps.setString(12, r.tool());
                    ps.setDouble(13, r.durationMs());
                    ps.setObject(14, r.upstreamMs(), Types.DOUBLE);
                    ps.setObject(15, r.inputTokens(), Types.INTEGER);
                    ps.setObject(16, r.outputTokens(), Types.INTEGER);
                    ps.setObject(17, r.argumentsBytes(), Types.INTEGER);
                    ps.setString(18, r.status());
                    ps.setObject(19, r.errorCode(), Types.INTEGER);
                    ps.setString(20, r.errorMessage());
                    ps.setString(21, r.decisions());
                    ps.setString(22, r.clientName());
                    ps.setString(23, r.clientVersion());
                    ps.setString(24, r.traceId());
                    ps.setString(25, prev == null ? null : prev[i]);
                    ps.setString(26, hash == null ? null : hash[i]);
                    ps.setObject(27, r.tokensEstimated(), Types.BOOLEAN);
                });
    }

    /** Rows per statement batch for a batch of {@code rows} records: see {@link #INSERTS_PER_STATEMENT_BATCH}. */
    int statementBatchRows(int rows) {
        return inProcessDatabase ? INSERTS_PER_STATEMENT_BATCH : Math.max(1, rows);
    }

    /** Records waiting for the writer now; never blocks (a full queue makes producers wait, not this). */
    public int queueDepth() {
        return queue.size();
    }

    /** Bytes of records waiting in the spool for the database to answer; 0 in a healthy system. */
    public long spoolBytes() {
        return spool.bytes();
    }

    /** Records lost since start (spool full, refused by the database); 0 in a healthy system. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Ends the writer after it has dealt with every queued record: written, or (while the database
     * is away) spooled to the data directory for the next start. Never loses what was queued.
     */
    @Override
    public void stop() {
        long last = lastQueued();
        running = false; // the writer still drains the queue before it ends
        LockSupport.unpark(writer); // a lingering writer writes what it gathered now
        try {
            writer.join(shutdownWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long done = lastWritten();
        if (done < last) {
            log.error("{} log records are not in the database at shutdown; those in {} are written at the next start", last - done,
                    SPOOL_FILE);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000; // stops after the web server, so no record arrives late
    }

    /** Statements on the chain head, counted (what keeping the head in memory saves is visible in tests). */
    private static final class CountingTemplate {
        private final JdbcTemplate jdbc;
        final LongAdder count = new LongAdder();

        CountingTemplate(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        int update(String sql, Object... args) {
            count.increment();
            return jdbc.update(sql, args);
        }

        <T> T queryForObject(String sql, Class<T> type) {
            count.increment();
            return jdbc.queryForObject(sql, type);
        }
    }
}
