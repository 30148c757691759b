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

    /** Each decision's {@code step:action}, for counters and span events. */
    static List<String> stepActions(String decisions) {
        List<String> out = new ArrayList<>();
        for (JsonNode d : Json.tree(decisions == null ? NONE : decisions)) {
            out.add(d.path("step").asString("unknown") + ":" + d.path("action").asString("unknown"));
        }
        return out;
    }
}
