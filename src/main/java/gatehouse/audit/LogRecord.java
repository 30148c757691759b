package gatehouse.audit;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/**
 * One handled MCP message. {@code input} and {@code output} are the JSON the token counts are
 * taken from; they are counted off the request path and never stored.
 */
public record LogRecord(Instant time, String correlationId, String sessionId, String connectionId, String gatewayId,
                        String serverId, String userId, String direction, String kind, String method, String tool,
                        double durationMs, String status, Integer errorCode, String errorMessage, String decisions,
                        JsonNode input, JsonNode output) {
}
