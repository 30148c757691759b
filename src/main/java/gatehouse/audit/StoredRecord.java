package gatehouse.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

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

    /**
     * The record as stored, its tokens counted and its arguments measured. A call's arguments are
     * also its input: they are written to JSON once for both. A count that fails (a result that is
     * not valid JSON or UTF-8) is left out rather than losing the record.
     */
    static StoredRecord of(LogRecord r, TokenCounter tokens, Decisions.Memo decisions) {
        TokenCounter.Counted in = null;
        Integer argumentsBytes = r.argumentsBytes();
        JsonNode input = r.input();
        if (argumentsBytes == null && input != null && r.arguments() == input && !input.isNull() && !input.isMissingNode()) {
            try {
                String json = compactJson(input);
                in = tokens.countText(json);
                argumentsBytes = utf8Length(json);
            } catch (RuntimeException e) {
                // neither is known; the record is still written
            }
        } else {
            in = countOrNull(() -> tokens.countInput(r.method(), r.input()));
            if (argumentsBytes == null && r.arguments() != null) {
                argumentsBytes = Json.size(r.arguments());
            }
        }
        TokenCounter.Counted out = countOrNull(() -> tokens.countOutput(r.method(), r.output()));
        boolean estimated = in != null && in.estimated() || out != null && out.estimated();
        return new StoredRecord(r.time().truncatedTo(ChronoUnit.MICROS), cut(r.correlationId(), 64), cut(r.sessionId(), 64),
                cut(r.connectionId(), 64), cut(r.gatewayId(), 64), cut(r.serverId(), 64), cut(r.userId(), 64), cut(r.hostId(), 64),
                cut(r.direction(), 16), cut(r.kind(), 16), cut(r.method(), 128), cut(r.tool(), 256), r.durationMs(), r.upstreamMs(),
                in == null ? null : in.tokens(), out == null ? null : out.tokens(), argumentsBytes, cut(r.status(), 32),
                r.errorCode(), cut(r.errorMessage(), 1024), decisions.normalize(r.decisions()), cut(r.clientName(), 128),
                cut(r.clientVersion(), 64), cut(r.traceId(), 32), cut(r.spanId(), 16), estimated);
    }

    private static TokenCounter.Counted countOrNull(java.util.function.Supplier<TokenCounter.Counted> count) {
        try {
            return count.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code node} as compact JSON, exactly as {@link Json#string} writes it. A small plain tree
     * (objects, arrays, printable ASCII texts without quotes, backslashes or slashes, whole numbers,
     * booleans, null: most calls' arguments) is written here, since setting Jackson's writer up
     * costs more than writing such a tree; anything else is left to Jackson.
     */
    static String compactJson(JsonNode node) {
        StringBuilder b = new StringBuilder(64);
        return plain(node, b, 0) ? b.toString() : Json.string(node);
    }

    private static final int PLAIN_MAX_DEPTH = 16;
    private static final int PLAIN_MAX_CHARS = 4096;

    private static boolean plain(JsonNode node, StringBuilder b, int depth) {
        if (depth > PLAIN_MAX_DEPTH || b.length() > PLAIN_MAX_CHARS) {
            return false;
        }
        if (node.isObject()) {
            b.append('{');
            boolean first = true;
            for (java.util.Map.Entry<String, JsonNode> e : node.properties()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                if (!plainText(e.getKey(), b)) {
                    return false;
                }
                b.append(':');
                if (!plain(e.getValue(), b, depth + 1)) {
                    return false;
                }
            }
            b.append('}');
            return true;
        }
        if (node.isArray()) {
            b.append('[');
            boolean first = true;
            for (JsonNode e : node) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                if (!plain(e, b, depth + 1)) {
                    return false;
                }
            }
            b.append(']');
            return true;
        }
        if (node.isString()) {
            return plainText(node.asString(), b);
        }
        if (node.isInt() || node.isLong()) {
            b.append(node.longValue());
            return true;
        }
        if (node.isBoolean()) {
            b.append(node.booleanValue());
            return true;
        }
        if (node.isNull()) {
            b.append("null");
            return true;
        }
        return false;
    }

    /** A quoted text of printable ASCII that JSON writes as it is; false for any other character. */
    private static boolean plainText(String s, StringBuilder b) {
        if (!Json.writtenAsIs(s)) {
            return false;
        }
        b.append('"').append(s).append('"');
        return true;
    }

    /** The length of {@code s} in UTF-8 (what writing it as bytes gives), counted without encoding it. */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
