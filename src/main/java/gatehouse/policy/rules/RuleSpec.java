package gatehouse.policy.rules;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A content rule of one gateway, as stored and as the admin API shows it. Validates its own shape
 * (which fields each engine needs); whether its patterns compile and its entities exist is checked
 * by {@link Rules#compile}, which names the offending pattern.
 *
 * @param patterns   regex rules: the patterns (Java syntax), any of which matches
 * @param entities   pii and presidio rules: entity types to look for; empty means the default set
 * @param minScore   pii and presidio rules: findings below this score are ignored; null for per-entity defaults
 * @param allowList  pii and presidio rules: values never reported; an entry {@code /re/} is a regex
 * @param url        presidio (the analyzer's base URL) and webhook rules (the URL to POST to)
 * @param replacement replace: the text put instead; null means {@code <ENTITY_TYPE>}
 * @param maskChar   mask: the character; maskCount how many letters or digits (null = all); maskFromEnd which end
 * @param failMode   presidio and webhook: what happens when the service is down, slow or wrong
 * @param binary     what a binary content item (image, audio, blob) does under this rule
 * @param webhookFormat webhook: {@code generic} (Gatehouse's own shape) or {@code bedrock} (ApplyGuardrail)
 */
public record RuleSpec(String id, String gatewayId, String name, Engine type, List<String> patterns, List<String> entities,
                       Double minScore, List<String> allowList, String url, Action action, String replacement,
                       Character maskChar, Integer maskCount, boolean maskFromEnd, Applies direction, Mode mode,
                       FailMode failMode, int timeoutMs, BinaryPolicy binary, String webhookFormat, boolean enabled,
                       Instant createdAt, Instant updatedAt) {

    public enum Engine { REGEX, PII, PRESIDIO, WEBHOOK }

    public enum Action { ALERT, BLOCK, REDACT, REPLACE, MASK, HASH }

    public enum Applies {
        REQUEST, RESPONSE, BOTH;

        public boolean covers(Flow flow) {
            return this == BOTH || (this == REQUEST) == (flow == Flow.REQUEST);
        }
    }

    /** Which way a message travels: toward the upstream (requests, client answers) or toward the client. */
    public enum Flow { REQUEST, RESPONSE }

    public enum Mode { ENFORCE, ALERT_ONLY }

    public enum FailMode { OPEN, CLOSED }

    public enum BinaryPolicy { PASS, BLOCK }

    public static final int DEFAULT_TIMEOUT_MS = 2000;
    public static final int MAX_TIMEOUT_MS = 30_000;

    public RuleSpec {
        if (name == null || name.isBlank()) {
            throw new RuleException("name", "a rule needs a name");
        }
        if (name.length() > 200) {
            throw new RuleException("name", "a rule name is at most 200 characters");
        }
        if (type == null) {
            throw new RuleException("type", "type must be one of regex, pii, presidio, webhook");
        }
        if (action == null) {
            throw new RuleException("action", "action must be one of alert, block, redact, replace, mask, hash");
        }
        patterns = patterns == null ? List.of() : List.copyOf(patterns);
        entities = entities == null ? List.of() : entities.stream().map(e -> e.trim().toUpperCase(Locale.ROOT)).toList();
        allowList = allowList == null ? List.of() : List.copyOf(allowList);
        direction = direction == null ? Applies.BOTH : direction;
        mode = mode == null ? Mode.ENFORCE : mode;
        failMode = failMode == null ? FailMode.OPEN : failMode;
        binary = binary == null ? BinaryPolicy.PASS : binary;
        timeoutMs = timeoutMs <= 0 ? DEFAULT_TIMEOUT_MS : timeoutMs;
        if (timeoutMs > MAX_TIMEOUT_MS) {
            throw new RuleException("timeoutMs", "timeoutMs is at most " + MAX_TIMEOUT_MS);
        }
        webhookFormat = webhookFormat == null ? "generic" : webhookFormat.toLowerCase(Locale.ROOT);
        switch (type) {
            case REGEX -> {
                if (patterns.isEmpty()) {
                    throw new RuleException("patterns", "a regex rule needs at least one pattern");
                }
            }
            case PII -> {
            }
            case PRESIDIO, WEBHOOK -> {
                if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                    throw new RuleException("url", "a " + type.name().toLowerCase(Locale.ROOT) + " rule needs an http(s) url");
                }
            }
        }
        if (type == Engine.WEBHOOK && !webhookFormat.equals("generic") && !webhookFormat.equals("bedrock")) {
            throw new RuleException("webhookFormat", "webhookFormat must be generic or bedrock");
        }
        if (minScore != null && (minScore < 0 || minScore > 1)) {
            throw new RuleException("minScore", "minScore must be between 0 and 1");
        }
        if (maskCount != null && maskCount < 0) {
            throw new RuleException("maskCount", "maskCount must not be negative");
        }
        if (replacement != null && replacement.length() > 200) {
            throw new RuleException("replacement", "a replacement is at most 200 characters");
        }
    }

    /** Whether the rule changes traffic (enforce) or only reports what it would have done. */
    public boolean enforcing() {
        return mode == Mode.ENFORCE;
    }

    /** Lower-case wire name of an enum constant ({@code ALERT_ONLY} → {@code alert-only}). */
    public static String wire(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant of {@code type} whose wire name is {@code value}, or a {@link RuleException} naming the field. */
    public static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        if (value == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (wire(e).equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(RuleSpec::wire).toList();
        throw new RuleException(field, field + " must be one of " + String.join(", ", names) + " (got '" + value + "')");
    }
}
