package gatehouse.audit;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

/**
 * Writes log records in batches on its own thread, so the request path only enqueues. The queue
 * is bounded; when it is full, producers wait rather than drop. Each record gets a sequence number
 * in queue order, and {@link #awaitWritten} blocks until the writer has dealt with a given number:
 * the one barrier for whoever must know a record is in the database (shutdown, tests, exports).
 * On shutdown every queued record is written before the database closes (this bean stops after the
 * web server).
 */
@Component
public class AuditLog implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int BATCH = 500;
    /** How long shutdown waits for queued records while the database refuses them. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

    private final Duration shutdownWait;

    private final JdbcTemplate jdbc;
    private final BlockingQueue<Queued> queue = new LinkedBlockingQueue<>(100_000);
    /** Held while a record is numbered and queued, so queue order is sequence order. */
    private final ReentrantLock enqueue = new ReentrantLock();
    private long lastQueued; // guarded by enqueue
    private final Object progress = new Object();
    private long lastWritten; // guarded by progress: the highest sequence the writer is done with
    private final Encoding tokenizer = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private volatile boolean running;
    private Thread writer;

    private record Queued(long sequence, LogRecord record) {
    }

    /** {@link #awaitWritten} gave up: the writer has not reached the sequence (database unavailable?). */
    public static final class NotWrittenInTime extends IllegalStateException {
        NotWrittenInTime(long sequence, long written, Duration timeout) {
            super("log record " + sequence + " not written within " + timeout + " (the writer is at " + written + ")");
        }
    }

    @Autowired
    public AuditLog(JdbcTemplate jdbc) {
        this(jdbc, SHUTDOWN_WAIT);
    }

    AuditLog(JdbcTemplate jdbc, Duration shutdownWait) {
        this.jdbc = jdbc;
        this.shutdownWait = shutdownWait;
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

    /** The highest sequence number the writer is done with: written, or refused by the database and reported. */
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
            lastWritten = sequence;
            progress.notifyAll();
        }
    }

    @Override
    public void start() {
        running = true;
        writer = Thread.ofPlatform().name("audit-writer").daemon(true).start(this::run);
    }

    private void run() {
        List<Queued> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Queued first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
                writeOrIsolate(batch.stream().map(Queued::record).toList());
                markWritten(batch.getLast().sequence());
                batch.clear();
            } catch (InterruptedException e) {
                // stop() interrupts only after running=false, when the database refuses every write
            } catch (RuntimeException e) {
                // Every row failed: the database is unreachable. Keep this batch (and only this
                // batch) and try it again; new records wait in the bounded queue meanwhile.
                log.error("could not write {} log records (database unavailable?); retrying: {}", batch.size(), e.getMessage());
                backOff();
                if (!running && Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        }
    }

    /**
     * Writes the batch; if the batch insert fails, writes row by row so one bad record cannot block
     * the others. Rows that still fail are dropped with an error (their content is not logged: it
     * may hold what the rules redact). Throws only when no row at all could be written.
     */
    private void writeOrIsolate(List<LogRecord> batch) {
        try {
            write(batch);
            return;
        } catch (RuntimeException batchFailure) {
            if (batch.size() == 1) {
                throw batchFailure;
            }
        }
        int failed = 0;
        RuntimeException last = null;
        for (LogRecord r : batch) {
            try {
                write(List.of(r));
            } catch (RuntimeException e) {
                failed++;
                last = e;
            }
        }
        if (failed == batch.size()) {
            throw last;
        }
        if (failed > 0) {
            log.error("dropped {} of {} log records that the database refused: {}", failed, batch.size(), last.getMessage());
        }
    }

    private void write(List<LogRecord> batch) {
        jdbc.batchUpdate("INSERT INTO log_records (time, correlation_id, session_id, connection_id, gateway_id, server_id, user_id, "
                        + "direction, kind, method, tool, duration_ms, input_tokens, output_tokens, status, error_code, error_message, decisions) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch, batch.size(), (ps, r) -> {
                    // Column widths come from V1__core.sql: clients choose ids, methods and names,
                    // so every text is cut to fit rather than failing the insert.
                    ps.setTimestamp(1, Timestamp.from(r.time()));
                    ps.setString(2, truncate(r.correlationId(), 64));
                    ps.setString(3, truncate(r.sessionId(), 64));
                    ps.setString(4, truncate(r.connectionId(), 64));
                    ps.setString(5, truncate(r.gatewayId(), 64));
                    ps.setString(6, truncate(r.serverId(), 64));
                    ps.setString(7, truncate(r.userId(), 64));
                    ps.setString(8, truncate(r.direction(), 16));
                    ps.setString(9, truncate(r.kind(), 16));
                    ps.setString(10, truncate(r.method(), 128));
                    ps.setString(11, truncate(r.tool(), 256));
                    ps.setDouble(12, r.durationMs());
                    ps.setObject(13, tokens(r.input()));
                    ps.setObject(14, tokens(r.output()));
                    ps.setString(15, truncate(r.status(), 32));
                    ps.setObject(16, r.errorCode());
                    ps.setString(17, truncate(r.errorMessage(), 1024));
                    ps.setString(18, r.decisions());
                });
    }

    private Integer tokens(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return tokenizer.countTokensOrdinary(Json.string(node));
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static void backOff() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (up to 30 s while the database refuses writes) until every queued record is written, then ends the writer. */
    @Override
    public void stop() {
        long last = lastQueued();
        running = false; // the writer still drains the queue before it ends
        try {
            awaitWritten(last, shutdownWait);
        } catch (NotWrittenInTime e) {
            log.error("{} log records could not be written before shutdown: {}", last - lastWritten(), e.getMessage());
            writer.interrupt(); // ends its retries; never while a healthy write is under way
        }
        try {
            writer.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
}
