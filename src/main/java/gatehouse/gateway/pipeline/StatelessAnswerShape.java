package gatehouse.gateway.pipeline;

import java.util.Set;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Shapes answers for a stateless (2026-07-28) client, whatever generation the upstream spoke:
 * every result names its {@code resultType} and the server that produced it, cacheable results
 * carry {@code ttlMs}/{@code cacheScope}, a missing resource is {@code -32602} with {@code data.uri}
 * (2025 said {@code -32002}), and interim messages are limited to what the revision allows on a
 * request's stream: progress, and log messages only when the request asked for them.
 */
final class StatelessAnswerShape implements AnswerShape {
    /** The methods whose complete results carry caching hints. */
    static final Set<String> CACHEABLE = Set.of("server/discover", "tools/list", "prompts/list", "resources/list",
            "resources/templates/list", "resources/read");

    /** Compared with, never handed out (answers get their own copy). */
    private static final ObjectNode SERVER_INFO = serverInfo();

    private final String method;
    private final String logLevel;
    private final long ttlMs;
    private final boolean retry;
    private final String uri;

    /**
     * @param method the request's method
     * @param meta its {@code _meta} envelope
     * @param ttlMs the freshness Gatehouse declares for what it merges itself (lists, discover)
     * @param retry whether the request carried {@code inputResponses} or {@code requestState}: such
     *              results depend on inputs outside the cache key and are declared stale at once
     * @param uri the {@code params.uri} of a resource request, for not-found errors
     */
    StatelessAnswerShape(String method, ObjectNode meta, long ttlMs, boolean retry, String uri) {
        this.method = method;
        JsonNode level = meta == null ? null : meta.get(StatelessEnvelope.LOG_LEVEL);
        this.logLevel = level != null && level.isString() ? level.stringValue() : null;
        this.ttlMs = ttlMs;
        this.retry = retry;
        this.uri = uri;
    }

    @Override
    public boolean interim(ObjectNode message) {
        if (!JsonRpc.isNotification(message)) {
            return false; // the revision has no server-to-client requests
        }
        return switch (JsonRpc.method(message)) {
            case "notifications/progress" -> true;
            case "notifications/message" -> logLevel != null
                    && StatelessEnvelope.logLevelAtLeast(message.path("params").path("level").asString(""), logLevel);
            default -> false; // list changes and resource updates travel on subscriptions/listen streams
        };
    }

    @Override
    public ObjectNode finish(ObjectNode response) {
        if (response.get("error") instanceof ObjectNode error) {
            if (error.path("code").asInt() == JsonRpc.RESOURCE_NOT_FOUND) {
                error.put("code", JsonRpc.INVALID_PARAMS);
                if (!(error.get("data") instanceof ObjectNode) && uri != null) {
                    error.putObject("data").put("uri", uri);
                } else if (error.get("data") instanceof ObjectNode d && !d.has("uri") && uri != null) {
                    d.put("uri", uri);
                }
            }
            return response;
        }
        if (!(response.get("result") instanceof ObjectNode result)) {
            return response;
        }
        if (!result.has("resultType")) {
            result.put("resultType", "complete");
        }
        if ("complete".equals(result.path("resultType").asString("")) && CACHEABLE.contains(method)) {
            if (retry) {
                result.put("ttlMs", 0);
            } else if (!(result.path("ttlMs").canConvertToLong() && result.get("ttlMs").asLong() >= 0)) {
                result.put("ttlMs", "resources/read".equals(method) ? 0 : ttlMs);
            }
            String scope = result.path("cacheScope").asString("");
            if (!"public".equals(scope) && !"private".equals(scope)) {
                result.put("cacheScope", "private");
            }
        }
        ObjectNode meta = result.get("_meta") instanceof ObjectNode m ? m : result.putObject("_meta");
        meta.set(StatelessEnvelope.SERVER_INFO, serverInfo());
        return response;
    }

    @Override
    public boolean leavesAlone(ObjectNode response) {
        if (response.has("error") || !(response.get("result") instanceof ObjectNode result)) {
            return false;
        }
        JsonNode type = result.get("resultType");
        if (type == null) {
            return false;
        }
        if ("complete".equals(type.asString("")) && CACHEABLE.contains(method)) {
            JsonNode ttl = result.get("ttlMs");
            if (ttl == null || !ttl.canConvertToLong() || (retry ? ttl.asLong() != 0 : ttl.asLong() < 0)) {
                return false;
            }
            String scope = result.path("cacheScope").asString("");
            if (!"public".equals(scope) && !"private".equals(scope)) {
                return false;
            }
        }
        JsonNode info = result.path("_meta").get(StatelessEnvelope.SERVER_INFO);
        return info != null && info.equals(SERVER_INFO);
    }

    @Override
    public int status(ObjectNode response) {
        // The one error the revision ties to an HTTP status wherever it comes from.
        return response.path("error").path("code").asInt() == JsonRpc.MISSING_CLIENT_CAPABILITY ? 400 : 200;
    }

    static ObjectNode serverInfo() {
        ObjectNode info = Json.object();
        info.put("name", "gatehouse");
        info.put("version", Upstreams.VERSION);
        return info;
    }
}
