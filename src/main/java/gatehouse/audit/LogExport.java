package gatehouse.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import gatehouse.platform.Json;

/**
 * Streams matching log records as JSON Lines or CSV straight from the database, so exports of any
 * size work: the admin API's {@code format=jsonl|csv} and the console's export links write here.
 */
@Component
public class LogExport {
    /** The CSV columns, in order. */
    public static final List<String> CSV_COLUMNS = List.of("time", "connectionId", "gatewayId", "serverId", "method", "tool",
            "durationMs", "inputTokens", "outputTokens", "status", "decisions", "errorCode", "errorMessage", "sessionId", "kind",
            "userId", "hostId", "clientName", "clientVersion", "argumentsBytes", "upstreamMs", "correlationId", "traceId", "id", "tokensEstimated");

    private final LogQuery logs;

    LogExport(LogQuery logs) {
        this.logs = logs;
    }

    /** Writes every record {@code f} matches (or the first {@code limit}); stops when the reader goes away. */
    public void write(OutputStream out, LogQuery.Filter f, boolean csv) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        if (csv) {
            w.write(String.join(",", CSV_COLUMNS));
            w.write("\r\n");
        }
        try {
            logs.stream(f, row -> {
                try {
                    if (csv) {
                        writeCsvRow(w, row);
                    } else {
                        w.write(Json.string(row));
                        w.write('\n');
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause(); // the client went away: stop reading rows
        }
        w.flush();
    }

    private static void writeCsvRow(Writer w, Map<String, Object> row) throws IOException {
        for (int i = 0; i < CSV_COLUMNS.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            Object v = row.get(CSV_COLUMNS.get(i));
            w.write(CsvCells.cell(v instanceof tools.jackson.databind.JsonNode n ? Json.string(n) : v));
        }
        w.write("\r\n");
    }
}
