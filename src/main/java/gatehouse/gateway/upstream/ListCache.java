package gatehouse.gateway.upstream;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RawResults;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One upstream session's list results, cursors followed, kept until the upstream says the list
 * changed; a 2026-07-28 upstream that announces no changes declares how long a list stays fresh
 * ({@code ttlMs}), and then that decides.
 */
final class ListCache {
    private static final int MAX_PAGES = 100;
    /** Bounds {@link #LAST_SEEN} when servers come and go. */
    static final int LAST_SEEN_MAX = 4096;
    /**
     * The list each server gave last, per kind, across all its sessions. A list asked afresh (its
     * declared freshness ran out, a new session asked for its first) that is equal to it is
     * replaced by it, so what is keyed by a list's identity further on (a gateway's provisioning
     * filter and the fingerprints it takes, a prefix's renaming, a team's subset, the merged
     * answer and its JSON text) is found again, as for a list still cached. Only equal content is
     * shared, and a cached list is never changed. Held weakly: a list nothing else holds any more
     * (its sessions ended, its server was removed) is not kept for this.
     */
    private static final Map<String, WeakReference<ArrayNode>> LAST_SEEN = new ConcurrentHashMap<>();

    private final String serverName;
    private final Map<String, ArrayNode> lists = new ConcurrentHashMap<>();
    /** When a cached list goes stale (epoch ms); absent: fresh until the upstream says it changed. */
    private final Map<String, Long> expiry = new ConcurrentHashMap<>();
    /** The freshness the upstream declared for its lists ({@code ttlMs}, the smallest of the pages). */
    private final Map<String, Long> ttl = new ConcurrentHashMap<>();

    ListCache(String serverName) {
        this.serverName = serverName;
    }

    /**
     * Every item of the {@code kind} list ({@code tools}, {@code prompts}, {@code resources},
     * {@code resourceTemplates}), from the cache or asked with {@code call} (a request in, its
     * response out, null when cancelled). {@code changesNotified} says whether the upstream
     * announces changes of a kind.
     */
    ArrayNode list(String kind, Function<ObjectNode, ObjectNode> call, Predicate<String> changesNotified) {
        ArrayNode cached = cached(kind);
        if (cached != null) {
            return cached;
        }
        String method = method(kind);
        ArrayNode all = Json.array();
        String cursor = null;
        long declared = -1;
        for (int page = 0; page < MAX_PAGES; page++) {
            ObjectNode params = Json.object();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            ObjectNode response = call.apply(JsonRpc.request(0L, method, params));
            RawResults.take(); // a list page's bytes are never relayed: not kept on this (possibly pooled) thread
            if (response == null || response.has("error")) {
                throw new UpstreamException("upstream '" + serverName + "' refused " + method + ": "
                        + (response == null ? "cancelled" : response.get("error").path("message").asString()));
            }
            JsonNode pageTtl = response.path("result").get("ttlMs");
            if (pageTtl != null && pageTtl.canConvertToLong() && pageTtl.asLong() >= 0) {
                declared = declared < 0 ? pageTtl.asLong() : Math.min(declared, pageTtl.asLong());
            }
            JsonNode items = response.path("result").path(kind);
            if (items.isArray()) {
                all.addAll((ArrayNode) items);
            }
            JsonNode next = response.path("result").get("nextCursor");
            if (next == null || !next.isString() || next.stringValue().isEmpty()) {
                break;
            }
            cursor = next.stringValue();
        }
        if (declared >= 0) {
            ttl.put(kind, declared);
        }
        if (declared >= 0 && !changesNotified.test(kind)) {
            expiry.put(kind, System.currentTimeMillis() + declared); // no change notifications: the declared freshness decides
        } else {
            expiry.remove(kind);
        }
        all = sameAsLastSeen(serverName + '\n' + kind, all);
        lists.put(kind, all);
        return all;
    }

    /** {@code fresh}, or the list last seen under {@code key} when that is equal to it. */
    static ArrayNode sameAsLastSeen(String key, ArrayNode fresh) {
        WeakReference<ArrayNode> ref = LAST_SEEN.get(key);
        ArrayNode last = ref == null ? null : ref.get();
        if (last != null && last.equals(fresh)) {
            return last;
        }
        if (ref == null && LAST_SEEN.size() >= LAST_SEEN_MAX) {
            LAST_SEEN.clear(); // servers come and go; only the current ones need to be found
        }
        LAST_SEEN.put(key, new WeakReference<>(fresh));
        return fresh;
    }

    /** The {@code kind} list while it is cached and fresh; null when {@link #list} would ask the upstream. */
    ArrayNode cached(String kind) {
        ArrayNode cached = lists.get(kind);
        Long until = expiry.get(kind);
        return cached != null && (until == null || until > System.currentTimeMillis()) ? cached : null;
    }

    private static String method(String kind) {
        return switch (kind) {
            case "tools" -> "tools/list";
            case "prompts" -> "prompts/list";
            case "resources" -> "resources/list";
            case "resourceTemplates" -> "resources/templates/list";
            default -> throw new IllegalArgumentException(kind);
        };
    }

    void changed(String kind) {
        lists.remove(kind);
    }

    void clear() {
        lists.clear();
    }

    /** The freshness in ms the upstream declared for its {@code kind} list, or -1 when it declared none. */
    long ttlMs(String kind) {
        return ttl.getOrDefault(kind, -1L);
    }

}
