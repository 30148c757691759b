package gatehouse.audit;

import java.util.ArrayList;
import java.util.List;

import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The {@code decisions} column: always a compact JSON array of {@code {step, action, details}}, so
 * filters can match {@code "step":"rules"} and {@code "action":"deny"} in its text.
 */
final class Decisions {
    static final String NONE = "[]";

    private Decisions() {
    }

    static String normalize(String decisions) {
        if (decisions == null || decisions.isBlank()) {
            return NONE;
        }
        try {
            JsonNode tree = Json.tree(decisions);
            return tree.isArray() ? Json.string(tree) : Json.string(Json.array().add(tree));
        } catch (JacksonException e) {
            return Json.string(Json.array().add(Json.object().put("step", "unknown").put("action", "unparsed")));
        }
    }

    /**
     * {@link #normalize} remembering its recent answers: a gateway's decisions repeat (the same
     * steps allowing the same calls), and parsing and writing them again for every record was a
     * sizeable share of the log writer's work. Bounded; used by the one writer thread.
     */
    static final class Memo {
        static final int ENTRIES = 64;
        /** Longer texts are normalized afresh (bounds what the memo holds). */
        static final int MAX_CHARS = 4096;
        private final java.util.Map<String, String> known = new java.util.LinkedHashMap<>(ENTRIES * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
                return size() > ENTRIES;
            }
        };

        String normalize(String decisions) {
            if (decisions == null || decisions.length() > MAX_CHARS) {
                return Decisions.normalize(decisions);
            }
            String done = known.get(decisions);
            if (done == null) {
                done = Decisions.normalize(decisions);
                known.put(decisions, done);
            }
            return done;
        }
    }

    /** Each decision's {@code step:action}, for counters and span events. */
    static List<String> stepActions(String decisions) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : Json.tree(decisions == null ? NONE : decisions)) {
            out.add(d.path("step").asString("unknown") + ":" + d.path("action").asString("unknown"));
        }
        return out;
    }
}
