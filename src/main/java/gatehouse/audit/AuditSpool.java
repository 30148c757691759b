package gatehouse.audit;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import gatehouse.platform.Json;

/**
 * Where log records wait while the database cannot take them: a JSON-lines file in the data
 * directory, bounded in size, read back in order once the database answers again. A file rather
 * than memory so an orderly stop during an outage loses nothing: the next start replays it.
 * Used by the audit writer's one thread only.
 */
final class AuditSpool {
    private final Path file;
    private final long maxBytes;
    private volatile long size; // written by the log writer, read by metrics

    AuditSpool(Path file, long maxBytes) {
        this.file = file;
        this.maxBytes = maxBytes;
        try {
            this.size = Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    long bytes() {
        return size;
    }

    /** Appends what fits; returns how many records did not fit (dropped). */
    int append(List<StoredRecord> rows) {
        if (rows.isEmpty()) {
            return 0;
        }
        StringBuilder text = new StringBuilder();
        int dropped = 0;
        long grown = 0;
        for (StoredRecord r : rows) {
            String line = Json.string(r) + "\n";
            long bytes = line.getBytes(StandardCharsets.UTF_8).length;
            if (size + grown + bytes > maxBytes) {
                dropped++;
                continue;
            }
            text.append(line);
            grown += bytes;
        }
        if (grown > 0) {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE);
                size += grown;
            } catch (IOException e) {
                return rows.size();
            }
        }
        return dropped;
    }

    /**
     * Hands the spooled records to {@code writer} in batches, oldest first. When a batch fails, the
     * records from that batch on stay spooled (rewritten atomically) and the failure is rethrown.
     * A batch that was written just before a crash may be written again after it (at-least-once).
     */
    void replay(int batchSize, Consumer<List<StoredRecord>> writer) {
        if (size == 0) {
            return;
        }
        List<StoredRecord> batch = new ArrayList<>(batchSize);
        long consumedLines = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                batch.add(Json.MAPPER.readValue(line, StoredRecord.class));
                if (batch.size() == batchSize) {
                    writer.accept(batch);
                    consumedLines += batch.size();
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                writer.accept(batch);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            keepFrom(consumedLines);
            throw e;
        }
        clear();
    }

    private void keepFrom(long skipLines) {
        if (skipLines == 0) {
            return;
        }
        // counts records (non-blank lines), as replay does
        Path rest = file.resolveSibling(file.getFileName() + ".rest");
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             BufferedWriter out = Files.newBufferedWriter(rest, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (n++ >= skipLines) {
                    out.write(line);
                    out.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.move(rest, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void clear() {
        try {
            Files.deleteIfExists(file);
            size = 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
