package gatehouse.gateway.pipeline;

import java.util.Map;

/**
 * One policy decision, as it lands in a log record's {@code decisions} array and in alerts:
 * which step, what it did, and facts about it. Never the matched or redacted value itself: a
 * content rule records its rule id, the entity type and the position.
 *
 * @param step    the deciding step's {@link Step#name()}
 * @param action  what happened: {@code deny}, {@code redact}, {@code alert}, {@code hide}, …
 * @param details small, non-secret facts (rule id, entity, offsets, reason); may be empty
 */
public record Decision(String step, String action, Map<String, Object> details) {
    public Decision {
        if (step == null || action == null) {
            throw new IllegalArgumentException("a decision names its step and action");
        }
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static Decision of(String step, String action) {
        return new Decision(step, action, Map.of());
    }
}
