package gatehouse.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A log record as stored: client-chosen texts cut to their column widths (V1, V9), tokens counted,
 * time at microsecond precision (what both databases keep, so the hash chain recomputes exactly).
 * Also the line format of the spool file. {@code spanId} travels to the listeners (OTLP export)
 * and is not a column.
 */
public record StoredRecord(Instant time, String correlationId, String sessionId, String connectionId, String gatewayId,
                           String serverId, String userId, String hostId, String direction, String kind, String method,
                           String tool, double durationMs, Double upstreamMs, Integer inputTokens, Integer outputTokens,
                           Integer argumentsBytes, String status, Integer errorCode, String errorMessage, String decisions,
                           String clientName, String clientVersion, String traceId, String spanId) {

    /** A record without a live span (as read back from the database). */
    public StoredRecord(Instant time, String correlationId, String sessionId, String connectionId, String gatewayId,
                        String serverId, String userId, String hostId, String direction, String kind, String method,
                        String tool, double durationMs, Double upstreamMs, Integer inputTokens, Integer outputTokens,
                        Integer argumentsBytes, String status, Integer errorCode, String errorMessage, String decisions,
                        String clientName, String clientVersion, String traceId) {
        this(time, correlationId, sessionId, connectionId, gatewayId, serverId, userId, hostId, direction, kind, method, tool,
                durationMs, upstreamMs, inputTokens, outputTokens, argumentsBytes, status, errorCode, errorMessage, decisions,
                clientName, clientVersion, traceId, null);
    }

    static StoredRecord of(LogRecord r, TokenCounter tokens) {
        return new StoredRecord(r.time().truncatedTo(ChronoUnit.MICROS), cut(r.correlationId(), 64), cut(r.sessionId(), 64),
                cut(r.connectionId(), 64), cut(r.gatewayId(), 64), cut(r.serverId(), 64), cut(r.userId(), 64), cut(r.hostId(), 64),
                cut(r.direction(), 16), cut(r.kind(), 16), cut(r.method(), 128), cut(r.tool(), 256), r.durationMs(), r.upstreamMs(),
                tokens.input(r.method(), r.input()), tokens.output(r.method(), r.output()), r.argumentsBytes(), cut(r.status(), 32),
                r.errorCode(), cut(r.errorMessage(), 1024), Decisions.normalize(r.decisions()), cut(r.clientName(), 128),
                cut(r.clientVersion(), 64), cut(r.traceId(), 32), cut(r.spanId(), 16));
    }

    static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
