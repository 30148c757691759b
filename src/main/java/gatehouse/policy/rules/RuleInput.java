package gatehouse.policy.rules;

import java.time.Instant;
import java.util.List;

/**
 * A rule as the admin API (and storage) writes it, every field optional on the wire; on update,
 * null means "keep". {@link #toSpec} checks the enum names and builds a validated {@link RuleSpec}.
 */
public record RuleInput(String name, String type, List<String> patterns, List<String> entities, Double minScore,
                        List<String> allowList, String url, String action, String replacement, String maskChar, Integer maskCount,
                        Boolean maskFromEnd, String direction, String mode, String failMode, Integer timeoutMs, String binary,
                        String webhookFormat, Boolean enabled) {

    public RuleSpec toSpec(String id, String gatewayId, Instant createdAt, Instant updatedAt) {
        if (maskChar != null && maskChar.length() != 1) {
            throw new RuleException("maskChar", "maskChar must be exactly one character");
        }
        if (type == null) {
            throw new RuleException("type", "type is required: regex, pii, presidio or webhook");
        }
        if (action == null) {
            throw new RuleException("action", "action is required: alert, block, redact, replace, mask or hash");
        }
        return new RuleSpec(id, gatewayId, name, RuleSpec.parse(RuleSpec.Engine.class, type, "type"), patterns, entities, minScore,
                allowList, url, RuleSpec.parse(RuleSpec.Action.class, action, "action"), replacement,
                maskChar == null ? null : maskChar.charAt(0), maskCount, Boolean.TRUE.equals(maskFromEnd),
                RuleSpec.parse(RuleSpec.Applies.class, direction, "direction"), RuleSpec.parse(RuleSpec.Mode.class, mode, "mode"),
                RuleSpec.parse(RuleSpec.FailMode.class, failMode, "failMode"), timeoutMs == null ? 0 : timeoutMs,
                RuleSpec.parse(RuleSpec.BinaryPolicy.class, binary, "binary"), webhookFormat, enabled == null || enabled, createdAt,
                updatedAt);
    }

    /** The input a spec was made from (wire names), for storage and for merging an update. */
    public static RuleInput of(RuleSpec s) {
        return new RuleInput(s.name(), RuleSpec.wire(s.type()), s.patterns(), s.entities(), s.minScore(), s.allowList(), s.url(),
                RuleSpec.wire(s.action()), s.replacement(), s.maskChar() == null ? null : String.valueOf(s.maskChar()), s.maskCount(),
                s.maskFromEnd(), RuleSpec.wire(s.direction()), RuleSpec.wire(s.mode()), RuleSpec.wire(s.failMode()), s.timeoutMs(),
                RuleSpec.wire(s.binary()), s.webhookFormat(), s.enabled());
    }

    /** This input with every non-null field of {@code patch} taking precedence. */
    public RuleInput merge(RuleInput patch) {
        return new RuleInput(or(patch.name, name), or(patch.type, type), or(patch.patterns, patterns), or(patch.entities, entities),
                or(patch.minScore, minScore), or(patch.allowList, allowList), or(patch.url, url), or(patch.action, action),
                or(patch.replacement, replacement), or(patch.maskChar, maskChar), or(patch.maskCount, maskCount),
                or(patch.maskFromEnd, maskFromEnd), or(patch.direction, direction), or(patch.mode, mode), or(patch.failMode, failMode),
                or(patch.timeoutMs, timeoutMs), or(patch.binary, binary), or(patch.webhookFormat, webhookFormat), or(patch.enabled, enabled));
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }
}
