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
     * <p>
     * One final class for every kind of check (a switch, not a lambda per kind): the scanner asks it at
     * most word starts that reach a recognizer, and a call site that always sees the same class is
     * compiled inline, where one that sees a lambda class per kind becomes an interface dispatch whose
     * compiled form depended on which kinds the JIT's profile had seen first.
     */
    public static final class Precheck {
        private static final int DIGIT_AT = 0;
        private static final int ANY_AT = 1;
        private static final int WITHIN = 2;
        private static final int DIGIT_WITHIN = 3;
        private static final int AND = 4;
        private static final int OR = 5;

        private final int kind;
        private final int k;
        private final String chars;
        private final Precheck left;
        private final Precheck right;

        private Precheck(int kind, int k, String chars, Precheck left, Precheck right) {
            this.kind = kind;
            this.k = k;
            this.chars = chars;
            this.left = left;
            this.right = right;
        }

        /** A digit {@code k} characters after {@code i}. */
        public static Precheck digitAt(int k) {
            return new Precheck(DIGIT_AT, k, null, null, null);
        }

        /** One of {@code chars} {@code k} characters after {@code i}. */
        public static Precheck anyAt(int k, String chars) {
            return new Precheck(ANY_AT, k, chars, null, null);
        }

        /** One of {@code chars} among the {@code n - 1} characters after {@code i}. */
        public static Precheck within(int n, String chars) {
            return new Precheck(WITHIN, n, chars, null, null);
        }

        /** A digit among the {@code n - 1} characters after {@code i}. */
        public static Precheck digitWithin(int n) {
            return new Precheck(DIGIT_WITHIN, n, null, null, null);
        }

        public Precheck and(Precheck other) {
            return new Precheck(AND, 0, null, this, other);
        }

        public Precheck or(Precheck other) {
            return new Precheck(OR, 0, null, this, other);
        }

        /**
         * Whether a match may begin at {@code i} of {@code t}; {@code cs} is the text as the scanner's Latin-1 bytes
         * (see {@link PiiAnalyzer#at}): the characters are read from them, which the scan has just read too,
         * rather than from the string's own array, which is elsewhere in memory.
         */
        public boolean mayStartAt(String t, byte[] cs, int i) {
            return switch (kind) {
                case DIGIT_AT -> i + k < cs.length && Character.isDigit(PiiAnalyzer.at(t, cs, i + k));
                case ANY_AT -> i + k < cs.length && chars.indexOf(PiiAnalyzer.at(t, cs, i + k)) >= 0;
                case WITHIN -> within(t, cs, i);
                case DIGIT_WITHIN -> digitWithin(cs, i);
                case AND -> left.mayStartAt(t, cs, i) && right.mayStartAt(t, cs, i);
                default -> left.mayStartAt(t, cs, i) || right.mayStartAt(t, cs, i);
            };
        }

        private boolean within(String t, byte[] cs, int i) {
            int end = Math.min(cs.length, i + k);
            for (int j = i + 1; j < end; j++) {
                if (chars.indexOf(PiiAnalyzer.at(t, cs, j)) >= 0) {
                    return true;
                }
            }
            return false;
        }

        private boolean digitWithin(byte[] cs, int i) {
            int end = Math.min(cs.length, i + k);
            for (int j = i + 1; j < end; j++) {
                int c = cs[j];
                if (c >= '0' && c <= '9') {
                    return true;
                }
            }
            return false;
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
