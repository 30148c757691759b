package gatehouse.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import gatehouse.platform.Json;

/**
 * A log record as stored: client-chosen texts cut to their column widths (V1, V9), tokens counted
 * and the arguments measured (on the writer's thread),
 * time at microsecond precision (what both databases keep, so the hash chain recomputes exactly).
 * Also the line format of the spool file. {@code spanId} travels to the listeners (OTLP export)
 * and is not a column. {@code tokensEstimated} says that a token count is an estimate (a text over
 * {@code gatehouse.audit.exact-token-chars}); null for records written before it was recorded.
 */
public record StoredRecord(Instant time, String correlationId, String sessionId, String connectionId, String gatewayId,
                           String serverId, String userId, String hostId, String direction, String kind, String method,
                           String tool, double durationMs, Double upstreamMs, Integer inputTokens, Integer outputTokens,
                           Integer argumentsBytes, String status, Integer errorCode, String errorMessage, String decisions,
                           String clientName, String clientVersion, String traceId, String spanId, Boolean tokensEstimated) {

    /** A record with a live span whose token counts are exact. */
    public StoredRecord(Instant time, String correlationId, String sessionId, String connectionId, String gatewayId,
                        String serverId, String userId, String hostId, String direction, String kind, String method,
                        String tool, double durationMs, Double upstreamMs, Integer inputTokens, Integer outputTokens,
                        Integer argumentsBytes, String status, Integer errorCode, String errorMessage, String decisions,
                        String clientName, String clientVersion, String traceId, String spanId) {
        this(time, correlationId, sessionId, connectionId, gatewayId, serverId, userId, hostId, direction, kind, method, tool,
                durationMs, upstreamMs, inputTokens, outputTokens, argumentsBytes, status, errorCode, errorMessage, decisions,
                clientName, clientVersion, traceId, spanId, false);
    }

    /** A record without a live span and without the estimate flag. */
    public StoredRecord(Instant time, String correlationId, String sessionId, String connectionId, String gatewayId,
                        String serverId, String userId, String hostId, String direction, String kind, String method,
                        String tool, double durationMs, Double upstreamMs, Integer inputTokens, Integer outputTokens,
                        Integer argumentsBytes, String status, Integer errorCode, String errorMessage, String decisions,
                        String clientName, String clientVersion, String traceId) {
        this(time, correlationId, sessionId, connectionId, gatewayId, serverId, userId, hostId, direction, kind, method, tool,
                durationMs, upstreamMs, inputTokens, outputTokens, argumentsBytes, status, errorCode, errorMessage, decisions,
                clientName, clientVersion, traceId, null, null);
    }

    static StoredRecord of(LogRecord r, TokenCounter tokens) {
        TokenCounter.Counted in = tokens.countInput(r.method(), r.input());
        TokenCounter.Counted out = tokens.countOutput(r.method(), r.output());
        boolean estimated = in != null && in.estimated() || out != null && out.estimated();
        Integer argumentsBytes = r.argumentsBytes();
        if (argumentsBytes == null && r.arguments() != null) {
            argumentsBytes = Json.size(r.arguments());
        }
        return new StoredRecord(r.time().truncatedTo(ChronoUnit.MICROS), cut(r.correlationId(), 64), cut(r.sessionId(), 64),
                cut(r.connectionId(), 64), cut(r.gatewayId(), 64), cut(r.serverId(), 64), cut(r.userId(), 64), cut(r.hostId(), 64),
                cut(r.direction(), 16), cut(r.kind(), 16), cut(r.method(), 128), cut(r.tool(), 256), r.durationMs(), r.upstreamMs(),
                in == null ? null : in.tokens(), out == null ? null : out.tokens(), argumentsBytes, cut(r.status(), 32),
                r.errorCode(), cut(r.errorMessage(), 1024), Decisions.normalize(r.decisions()), cut(r.clientName(), 128),
                cut(r.clientVersion(), 64), cut(r.traceId(), 32), cut(r.spanId(), 16), estimated);
    }

    static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
