package gatehouse.gateway.pipeline;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import gatehouse.gateway.protocol.RawResults;
import gatehouse.gateway.routing.Router;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The merged list results a gateway gave lately, with their JSON text, so a repeated
 * {@code tools/list} (or any {@code *}{@code /list}) is neither merged nor serialized again: only
 * the JSON-RPC id around it is new. An answer is found by the <em>identity</em> of the parts it was
 * merged from, never by versions: upstream sessions keep one array per list until the upstream
 * announces a change, and the steps' list filters return the array they were given while they
 * hide nothing (a team subset, a provisioning view, a prefix that hides or renames anything gives
 * a new array). So a changed list, a caller who sees another subset, a changed catalogue or
 * provisioning view can never be answered from here. Results held here are never changed: a
 * generation that decorates and shapes its lists (2026-07-28 clients: {@code ttlMs},
 * {@code cacheScope}, {@code resultType}, the server's name) does so once, when the answer is made,
 * and keeps its answers apart, found by the parts and by the one value the decoration depends on
 * (the freshness declared); its answer shape then finds nothing to change (see
 * {@link AnswerShape#leavesAlone}).
 */
final class ListAnswers {
    /** Answers kept per gateway and kind (callers seeing different subsets each have their own). */
    static final int PER_LIST = 8;
    /** Bounds the map when gateways come and go. */
    static final int MAX_LISTS = 4096;

    /** One answer: the parts it was merged from, what its decoration depended on, the result and its JSON text. */
    record Answer(List<ArrayNode> parts, long variant, ObjectNode result, RawResults.Raw raw) {
    }

    /** Decorates and shapes a new result {@code {kind: items}} once, before it is shared. */
    interface Finisher {
        void finish(ObjectNode result);
    }

    /** By gateway, then kind: found without building a key on every list. */
    private final Map<String, Map<String, Answer[]>> byList = new ConcurrentHashMap<>();

    /** The result {@code {kind: items}} for {@code merged}: the one given last for the very same parts, else a new one. */
    Answer answer(String gatewayId, String kind, Router.Merged merged) {
        return answer(gatewayId, kind, merged, 0, result -> {
        });
    }

    /**
     * The same for a result that {@code finisher} decorates: the one given last for the very same
     * parts and {@code variant} (all the decoration depends on besides them), else a new one,
     * finished before anyone else can see it.
     */
    Answer answer(String gatewayId, String kind, Router.Merged merged, long variant, Finisher finisher) {
        Map<String, Answer[]> ofGateway = byList.get(gatewayId);
        if (ofGateway == null) {
            if (byList.size() > MAX_LISTS) {
                byList.clear();
            }
            ofGateway = byList.computeIfAbsent(gatewayId, g -> new ConcurrentHashMap<>());
        }
        Answer[] recent = ofGateway.get(kind);
        if (recent == null) {
            recent = ofGateway.computeIfAbsent(kind, k -> new Answer[PER_LIST]);
        }
        synchronized (recent) {
            for (int i = 0; i < recent.length; i++) {
                Answer a = recent[i];
                if (a != null && a.variant() == variant && sameParts(a.parts(), merged.parts())) {
                    System.arraycopy(recent, 0, recent, 1, i); // most recent first
                    recent[0] = a;
                    return a;
                }
            }
        }
        ObjectNode result = Json.object();
        result.set(kind, merged.items());
        finisher.finish(result);
        byte[] text = Json.bytes(result);
        Answer made = new Answer(merged.parts(), variant, result, new RawResults.Raw(result, text, 0, text.length));
        synchronized (recent) {
            System.arraycopy(recent, 0, recent, 1, recent.length - 1);
            recent[0] = made;
        }
        return made;
    }

    private static boolean sameParts(List<ArrayNode> a, List<ArrayNode> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }
}
