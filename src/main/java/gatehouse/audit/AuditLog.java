package gatehouse.audit;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * is bounded; when it is full, producers wait rather than drop. On shutdown every queued record is
 * written before the database closes (this bean stops after the web server).
 */
@Component
public class AuditLog implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int BATCH = 500;

    private final JdbcTemplate jdbc;
    private final BlockingQueue<LogRecord> queue = new LinkedBlockingQueue<>(100_000);
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Encoding tokenizer = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private volatile boolean running;
    private Thread writer;

    public AuditLog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void record(LogRecord r) {
        try {
            queue.put(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // still keep the record: the interrupt came from shutdown, and the writer drains the queue
            queue.offer(r);
        }
        queued.incrementAndGet();
    }

    @Override
    public void start() {
        running = true;
        writer = Thread.ofPlatform().name("audit-writer").daemon(true).start(this::run);
    }

    private void run() {
        List<LogRecord> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    LogRecord first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                }
                writeOrIsolate(batch);
                written.addAndGet(batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                // stop() interrupts only after running=false; the loop drains what is left
            } catch (RuntimeException e) {
                // Every row failed: the database is unreachable. Keep this batch (and only this
                // batch) and try it again; new records wait in the bounded queue meanwhile.
                log.error("could not write {} log records (database unavailable?); retrying: {}", batch.size(), e.getMessage());
                sleep();
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

    /** Waits until everything queued so far is written (tests and shutdown). */
    public void flush() {
        long deadline = System.currentTimeMillis() + 10_000;
        awaitWritten(deadline);
        sleep(); // the data plane records a message just after answering it: let those records arrive
        awaitWritten(deadline);
    }

    /** Counts, not queue emptiness: a drained batch may still be on its way to the database. */
    private void awaitWritten(long deadline) {
        while (written.get() < queued.get() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            log.error("{} log records could not be written before shutdown", queue.size());
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
