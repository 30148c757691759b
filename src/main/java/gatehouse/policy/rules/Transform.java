package gatehouse.policy.rules;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a rule puts in place of a finding: nothing (redact), a placeholder (replace, default
 * {@code <ENTITY_TYPE>}), the same shape with letters and digits masked, or a keyed HMAC-SHA256
 * (hash: the same value gives the same hash across records, and without the key it cannot be
 * reversed or confirmed by guessing).
 */
public final class Transform {
    private Transform() {
    }

    /** A finding together with the rule that acts on it. */
    public record Edit(Finding finding, RuleSpec rule) {
    }

    /** {@code text} with every edit applied; edits must not overlap and be ordered by start. */
    public static String apply(String text, List<Edit> edits, byte[] hashKey) {
        StringBuilder b = new StringBuilder(text.length());
        int at = 0;
        for (Edit e : edits) {
            Finding f = e.finding();
            b.append(text, at, f.start());
            b.append(replacement(text.substring(f.start(), f.end()), f.entity(), e.rule(), hashKey));
            at = f.end();
        }
        b.append(text, at, text.length());
        return b.toString();
    }

    static String replacement(String value, String entity, RuleSpec rule, byte[] hashKey) {
        return switch (rule.action()) {
            case REDACT -> "";
            case REPLACE -> rule.replacement() != null ? rule.replacement() : "<" + entity + ">";
            case MASK -> mask(value, rule.maskChar() == null ? '*' : rule.maskChar(), rule.maskCount(), rule.maskFromEnd());
            case HASH -> hash(value, hashKey);
            case ALERT, BLOCK -> value;
        };
    }

    /** Masks up to {@code count} letters and digits (all when null) from the start or the end; other characters stay. */
    public static String mask(String value, char with, Integer count, boolean fromEnd) {
        char[] cs = value.toCharArray();
        int left = count == null ? Integer.MAX_VALUE : count;
        for (int k = 0; k < cs.length && left > 0; k++) {
            int i = fromEnd ? cs.length - 1 - k : k;
            if (Character.isLetterOrDigit(cs[i])) {
                cs[i] = with;
                left--;
            }
        }
        return new String(cs);
    }

    /** Hex HMAC-SHA256 of the value under the rules' hashing key. */
    public static String hash(String value, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
