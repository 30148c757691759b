package gatehouse.audit;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/**
 * One handled MCP message. {@code input} and {@code output} are what the model reads (a call's
 * arguments, a tool's result); the token counts are taken from them off the request path and they
 * are never stored. {@code decisions} is a JSON array of the pipeline's decisions (null: none).
 *
 * @param hostId         the API-token host behind the connection (null for a person's connection)
 * @param clientName     {@code clientInfo.name} the client declared
 * @param clientVersion  {@code clientInfo.version}
 * @param argumentsBytes size of the request's arguments (or params) in UTF-8 JSON; when null and
 *                       {@code arguments} is set, the writer measures that (off the request path)
 * @param upstreamMs     time spent waiting on upstreams (null when none was called)
 * @param traceId        the W3C trace id of the request's span, when tracing is on
 * @param spanId         that span's id (links the exported log record to it; not stored)
 * @param arguments      the request's arguments (or params) to measure for {@code argumentsBytes};
 *                       never stored
 */
public record LogRecord(Instant time, String correlationId, String sessionId, String connectionId, String gatewayId,
                        String serverId, String userId, String direction, String kind, String method, String tool,
                        double durationMs, String status, Integer errorCode, String errorMessage, String decisions,
                        JsonNode input, JsonNode output,
                        String hostId, String clientName, String clientVersion, Integer argumentsBytes, Double upstreamMs,
                        String traceId, String spanId, JsonNode arguments) {

    public LogRecord {
        if (time == null || direction == null || kind == null || status == null) {
            throw new IllegalArgumentException("a log record needs time, direction, kind and status");
        }
    }

    /** A record without the client, size, upstream-time and trace details. */
    public LogRecord(Instant time, String correlationId, String sessionId, String connectionId, String gatewayId,
                     String serverId, String userId, String direction, String kind, String method, String tool,
                     double durationMs, String status, Integer errorCode, String errorMessage, String decisions,
                     JsonNode input, JsonNode output) {
        this(time, correlationId, sessionId, connectionId, gatewayId, serverId, userId, direction, kind, method, tool,
                durationMs, status, errorCode, errorMessage, decisions, input, output, null, null, null, null, null, null, null, null);
    }

    /** The same record with who the client is. */
    public LogRecord withClient(String hostId, String clientName, String clientVersion) {
        return new LogRecord(time, correlationId, sessionId, connectionId, gatewayId, serverId, userId, direction, kind, method,
                tool, durationMs, status, errorCode, errorMessage, decisions, input, output, hostId, clientName, clientVersion,
                argumentsBytes, upstreamMs, traceId, spanId, arguments);
    }

    /**
     * The same record with the request's arguments (or params), which the writer measures in UTF-8
     * JSON, the upstream's share of the time and the trace id.
     */
    public LogRecord withTiming(JsonNode arguments, Double upstreamMs, String traceId) {
        return new LogRecord(time, correlationId, sessionId, connectionId, gatewayId, serverId, userId, direction, kind, method,
                tool, durationMs, status, errorCode, errorMessage, decisions, input, output, hostId, clientName, clientVersion,
                null, upstreamMs, traceId, spanId, arguments);
    }

    /** The same record in the trace of a live span. */
    public LogRecord withSpan(String traceId, String spanId) {
        return new LogRecord(time, correlationId, sessionId, connectionId, gatewayId, serverId, userId, direction, kind, method,
                tool, durationMs, status, errorCode, errorMessage, decisions, input, output, hostId, clientName, clientVersion,
                argumentsBytes, upstreamMs, traceId, spanId, arguments);
    }
}
