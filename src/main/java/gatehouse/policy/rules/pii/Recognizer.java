package gatehouse.policy.rules.pii;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One pattern recognizer as data, in Presidio's terms: the entity it finds, its patterns with base
 * scores, the context words that raise a score, and an optional validator. A validator that
 * answers true raises the score to at least {@code validScore}, false drops the match, null leaves it.
 *
 * @param starts       characters a match can begin with: the scanner tries this recognizer only there
 * @param backOver     for matches found from a middle character (e-mail from its {@code @}): the
 *                     characters to walk back over to the match's start; null otherwise
 */
public record Recognizer(String entity, List<PatternDef> patterns, Set<String> context, Function<String, Boolean> validator,
                         double validScore, String starts, String backOver, Precheck precheck) {

    /**
     * A cheap look at the text before any regex runs at {@code i} (a character two places on must be
     * a digit, a colon must follow soon): most word starts are refused here, which is what keeps
     * the scan fast on text without PII.
     */
    @FunctionalInterface
    public interface Precheck {
        boolean mayStartAt(String text, int i);

        static Precheck digitAt(int k) {
            return (t, i) -> i + k < t.length() && Character.isDigit(t.charAt(i + k));
        }

        static Precheck anyAt(int k, String chars) {
            return (t, i) -> i + k < t.length() && chars.indexOf(t.charAt(i + k)) >= 0;
        }

        static Precheck within(int n, String chars) {
            return (t, i) -> {
                int end = Math.min(t.length(), i + n);
                for (int k = i + 1; k < end; k++) {
                    if (chars.indexOf(t.charAt(k)) >= 0) {
                        return true;
                    }
                }
                return false;
            };
        }

        static Precheck digitWithin(int n) {
            return (t, i) -> {
                int end = Math.min(t.length(), i + n);
                for (int k = i + 1; k < end; k++) {
                    char c = t.charAt(k);
                    if (c >= '0' && c <= '9') {
                        return true;
                    }
                }
                return false;
            };
        }

        default Precheck and(Precheck other) {
            return (t, i) -> mayStartAt(t, i) && other.mayStartAt(t, i);
        }

        default Precheck or(Precheck other) {
            return (t, i) -> mayStartAt(t, i) || other.mayStartAt(t, i);
        }
    }

    public Recognizer with(Precheck p) {
        return new Recognizer(entity, patterns, context, validator, validScore, starts, backOver, p);
    }

    /**
     * One pattern: matched with {@code lookingAt} at a candidate position, so it must not start
     * with a look-behind. {@code group} is the capture group that is the entity (0 = whole match);
     * {@code prefix}, when set, must be present literally before the regex is tried at all.
     */
    public record PatternDef(String name, Pattern regex, double score, int group, String prefix, boolean ignoreCasePrefix) {
        public static PatternDef of(String name, String regex, double score) {
            return new PatternDef(name, Pattern.compile(regex), score, 0, null, false);
        }

        public PatternDef prefixed(String literal, boolean ignoreCase) {
            return new PatternDef(name, regex, score, group, literal, ignoreCase);
        }

        public PatternDef group(int g) {
            return new PatternDef(name, regex, score, g, prefix, ignoreCasePrefix);
        }
    }

    public Recognizer {
        patterns = List.copyOf(patterns);
        context = Set.copyOf(context);
    }
}
