package gatehouse.policy.rules.pii;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

import gatehouse.policy.rules.Finding;
import gatehouse.policy.rules.RuleException;

/**
 * The built-in PII analyzer. One pass over the text looks only at word starts (and {@code @}); at
 * each, a table indexed by the character says which recognizers can begin there, and only those
 * run their patterns, anchored ({@code lookingAt}). Text without PII costs a table look-up per word.
 * Then, as Presidio's analyzer does: validators confirm or drop, context words in the five words
 * before a weak match raise it by 0.35 (to at least 0.4), scores under the entity's threshold and
 * allow-listed values go, and a finding contained in a stronger one of the same entity is removed.
 * Thread-safe; build one per rule. Its only mutable state is a cache of capitalised words that can begin
 * nothing (see {@link #quietWord}), which changes no answer.
 */
public final class PiiAnalyzer {
    static final double CONTEXT_BOOST = 0.35;
    static final double MIN_WITH_CONTEXT = 0.4;
    static final int CONTEXT_WORDS = 5;
    /** Threshold when neither the rule nor {@link #DEFAULT_THRESHOLDS} says otherwise. */
    public static final double DEFAULT_THRESHOLD = 0.4;
    static final Map<String, Double> DEFAULT_THRESHOLDS = Map.of("PERSON", 0.5, "LOCATION", 0.5, "DATE_TIME", 0.5);
    /** Regions libphonenumber tries for numbers without a country code (Presidio's default list). */
    static final List<String> PHONE_REGIONS = List.of("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR");

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /**
     * Character classes by Latin-1 byte: 0 not part of an ASCII word (punctuation, and every byte from 128:
     * those and the {@code ?} that stands for a character outside Latin-1 are read again from the text),
     * else {@link #DIGIT}, {@link #UPPER} or {@link #LOWER}.
     */
    private static final byte[] CLASS = new byte[256];
    private static final int DIGIT = 1;
    private static final int UPPER = 2;
    private static final int LOWER = 4;

    static {
        for (char c = '0'; c <= '9'; c++) {
            CLASS[c] = DIGIT;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            CLASS[c] = LOWER;
            CLASS[c - 32] = UPPER;
        }
    }

    private final Set<String> entities;
    /** Punctuation a finding can begin with (':' of IPv6, '-' of a PEM block, '+' and '(' of phone numbers). */
    private final boolean[] punctuationStarts = new boolean[128];
    private final Recognizer[][] byFirstChar = new Recognizer[128][];
    /** For each entry of {@link #byFirstChar}, the recognizer's index in {@link #recognizers} (its matchers' slot). */
    private final int[][] indexByFirstChar = new int[128][];
    private final Recognizer email;
    private final List<Recognizer> recognizers;
    private final Map<String, Set<String>> contextByEntity = new HashMap<>();
    /** {@link #contextByEntity} as byte-keyed tables: words before a finding are looked up without a substring. */
    private final Map<String, Lexicon> contextWords = new HashMap<>();
    private final Double minScore;
    private final Set<String> allowExact;
    private final List<Pattern> allowPatterns;
    private final boolean phones;
    private final boolean persons;
    private final boolean locations;
    private final boolean bearer;
    private final boolean dates;
    private final Gazetteer gazetteer = Gazetteer.DEFAULT;

    /**
     * @param entities  entity types to report (empty: {@link Recognizers#DEFAULT_ENTITIES}; {@code SECRETS} names the secrets)
     * @param minScore  one threshold for every entity, or null for the per-entity defaults
     * @param allowList values never reported; an entry written {@code /regex/} matches by regex
     */
    public PiiAnalyzer(List<String> entities, Double minScore, List<String> allowList) {
        Set<String> wanted = new HashSet<>();
        Set<String> known = Recognizers.known();
        for (int i = 0; i < (entities == null ? 0 : entities.size()); i++) {
            String e = entities.get(i).toUpperCase(Locale.ROOT);
            if (e.equals("SECRETS")) {
                wanted.addAll(Recognizers.SECRETS);
            } else if (e.equals("DEFAULT")) {
                wanted.addAll(Recognizers.DEFAULT_ENTITIES);
            } else if (known.contains(e)) {
                wanted.add(e);
            } else {
                throw new RuleException("entities[" + i + "]", "unknown entity '" + entities.get(i) + "'; known: "
                        + String.join(", ", known.stream().sorted().toList()) + ", SECRETS, DEFAULT");
            }
        }
        this.entities = Set.copyOf(wanted.isEmpty() ? Recognizers.DEFAULT_ENTITIES : wanted);
        this.minScore = minScore;
        Set<String> exact = new HashSet<>();
        List<Pattern> patterns = new ArrayList<>();
        List<String> allow = allowList == null ? List.of() : allowList;
        for (int i = 0; i < allow.size(); i++) {
            String a = allow.get(i);
            if (a.length() >= 2 && a.startsWith("/") && a.endsWith("/")) {
                try {
                    patterns.add(Pattern.compile(a.substring(1, a.length() - 1)));
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw new RuleException("allowList[" + i + "]", "allow-list pattern " + i + " '" + a + "' is not a valid regular expression: "
                            + e.getDescription());
                }
            } else {
                exact.add(a);
            }
        }
        this.allowExact = Set.copyOf(exact);
        this.allowPatterns = List.copyOf(patterns);
        List<Recognizer> active = Recognizers.all().stream().filter(r -> this.entities.contains(r.entity())).toList();
        this.recognizers = active;
        Recognizer mail = null;
        Map<Character, List<Recognizer>> table = new HashMap<>();
        for (Recognizer r : active) {
            contextByEntity.computeIfAbsent(r.entity(), k -> new HashSet<>()).addAll(r.context());
            if (r.backOver() != null) {
                mail = r;
                continue;
            }
            for (char c : r.starts().toCharArray()) {
                table.computeIfAbsent(c, k -> new ArrayList<>()).add(r);
            }
        }
        table.forEach((c, list) -> {
            byFirstChar[c] = list.toArray(Recognizer[]::new);
            indexByFirstChar[c] = list.stream().mapToInt(active::indexOf).toArray();
        });
        this.email = mail;
        for (char c = 0; c < 128; c++) {
            punctuationStarts[c] = CLASS[c] == 0 && byFirstChar[c] != null;
        }
        this.phones = this.entities.contains(Recognizers.PHONE);
        this.persons = this.entities.contains(Recognizers.PERSON);
        this.locations = this.entities.contains(Recognizers.LOCATION);
        this.bearer = this.entities.contains("BEARER_TOKEN");
        this.dates = this.entities.contains("DATE_TIME");
        if (phones) {
            punctuationStarts['+'] = true;
            punctuationStarts['('] = true;
        }
        contextByEntity.put(Recognizers.PHONE, Set.of("phone", "number", "telephone", "tel", "cell", "cellphone", "mobile", "call", "fax"));
        contextByEntity.put(Recognizers.PERSON, Set.of("name", "named", "contact", "patient", "dear", "hi", "hello", "signed",
                "customer", "employee", "user", "called", "regards", "thanks", "attn", "client", "mr", "mrs", "ms", "dr",
                "call", "meet", "met", "ask", "tell", "cc", "assigned", "by", "author", "owner", "manager", "colleague"));
        contextByEntity.put(Recognizers.LOCATION, Set.of("in", "from", "at", "to", "near", "city", "country", "visit", "moved", "lives", "based"));
        contextByEntity.forEach((entity, words) -> {
            Map<String, Integer> keys = new HashMap<>();
            Lexicon.mark(keys, words, 1);
            contextWords.put(entity, Lexicon.folded(keys));
        });
    }

    /** The entity types this analyzer reports. */
    public Set<String> entities() {
        return entities;
    }

    /** Findings in {@code text}, by start, after thresholds, allow list and same-entity de-duplication. */
    public List<Finding> analyze(String text) {
        Matcher[][] matchers = new Matcher[recognizers.size()][];
        int n = text.length();
        // one copy, then plain array reads: String.charAt checks bounds and encoding on every call, and
        // toCharArray inflates a Latin-1 string to twice its size; Latin-1 bytes are a plain copy
        byte[] cs = latin1(text);
        Raw raw = new Raw(text, cs);
        // The loop only dispatches: the work per stretch of prose (skipPlain), per punctuation mark and per word is
        // in methods of their own, each called thousands of times per message. The JIT's optimising tier takes a
        // method up by how often it is called (scaled by how long its queue is); this one is called once per
        // message, so when the loop did the work here it ran in the slower profiling tier until long after the
        // methods it calls were optimised (in bin/pii-bench: until a second into the measured passes, which split
        // its runs into a slow and a fast group by whether that came before the median pass).
        int i = 0;
        while (i < n) {
            int c = cs[i] & 0xFF;
            if (c >= 128) {
                i++;
                continue;
            }
            if (PLAIN[c]) {
                // a stretch of small letters, spaces, commas and line breaks: every word in it that a separator ends
                // finds nothing, so jump to the last word, the one the next other character may continue
                int k = skipPlain(text, cs, i, n);
                if (k > i) {
                    i = k;
                    continue;
                }
            }
            i = CLASS[c] == 0 ? punctuation(text, cs, i, matchers, raw) : word(text, cs, i, n, matchers, raw);
        }
        if (raw.isEmpty()) {
            return List.of();
        }
        return finish(text, cs, raw);
    }

    /** The punctuation mark at {@code i}: '@' (e-mail, from its middle), and what can begin with it (':' IPv6, '-' PEM, '+' '(' phones). */
    private int punctuation(String text, byte[] cs, int i, Matcher[][] matchers, Raw raw) {
        int c = cs[i];
        if (c == '@') {
            if (email != null) {
                email(text, i, raw);
            }
        } else if (punctuationStarts[c] && !afterWord(text, cs, i)) {
            general(text, cs, (char) c, i, matchers, raw);
        }
        return i + 1;
    }

    /** The run of ASCII letters and digits at {@code i}: the patterns and names that can begin there; returns its end. */
    private int word(String text, byte[] cs, int i, int n, Matcher[][] matchers, Raw raw) {
        byte[] cls = CLASS;
        int c = cs[i];
        boolean afterWord = i > 0 && (cs[i - 1] < 0 || cs[i - 1] == '?') && Character.isLetterOrDigit(text.charAt(i - 1));
        // classify the run in the same pass that finds its end (bit 1 digit, bit 2 capital, bit 3 small letter),
        // counting the first character's class apart for the capital
        int e = i + 1;
        int seen = 0;
        // eight bytes at a time while the run lasts (one predictable branch per word instead of one per byte)
        while (e + 8 <= n) {
            long x = (long) LONGS.get(cs, e);
            long x7 = x & ~HIGH;
            long digits = inRange(x7, '0', '9');
            long uppers = inRange(x7, 'A', 'Z');
            long lowers = inRange(x7, 'a', 'z');
            long nonWord = ~((digits | uppers | lowers) & ~x) & HIGH;
            long keep = nonWord == 0 ? -1L : (1L << Long.numberOfTrailingZeros(nonWord)) - 1;
            seen |= ((digits & keep) != 0 ? DIGIT : 0) | ((uppers & keep) != 0 ? UPPER : 0) | ((lowers & keep) != 0 ? LOWER : 0);
            if (nonWord != 0) {
                e += Long.numberOfTrailingZeros(nonWord) >>> 3;
                break;
            }
            e += 8;
        }
        while (e < n) {
            int k = cls[cs[e] & 0xFF];
            if (k == 0) {
                break;
            }
            seen |= k;
            e++;
        }
        if (afterWord) {
            return e;
        }
        int first = cls[c];
        boolean digit = ((seen | first) & DIGIT) != 0;
        boolean letter = ((seen | first) & (UPPER | LOWER)) != 0;
        boolean upperAfterFirst = (seen & UPPER) != 0;
        if (letter && !digit && !upperAfterFirst && quietEnd(text, cs, e, n)) {
            // a plain word ("service", "Service") followed by a space or ordinary punctuation: no pattern
            // can start here except "Bearer <token>" and a month before a year; names are looked up by hash
            if (maybePattern(cs, c, i, e, n)) {
                general(text, cs, (char) c, i, matchers, raw);
            } else if ((persons || locations) && c <= 'Z' && mayBeName(text, cs, i, e, n)) {
                names(text, cs, i, raw);
            }
        } else if (!(digit && !letter && e - i < 7 && quietAfterNumber(text, cs, e, n))) {
            // (a short number, "1923" or "34", not followed by more digits, a separator or a month is too short for
            // every numeric entity, and nothing it could be part of follows)
            general(text, cs, (char) c, i, matchers, raw);
        }
        return e;
    }

    /**
     * The text's characters as Latin-1 bytes, one per char; a char outside Latin-1 becomes {@code ?}
     * (so the scanner reads such a {@code ?} again from the text, see {@link #at}).
     */
    static byte[] latin1(String text) {
        byte[] bs = text.getBytes(StandardCharsets.ISO_8859_1);
        if (bs.length == text.length()) {
            return bs;
        }
        // a surrogate pair became one '?': map char by char so positions stay the text's
        bs = new byte[text.length()];
        for (int k = 0; k < bs.length; k++) {
            char c = text.charAt(k);
            bs[k] = (byte) (c < 256 ? c : '?');
        }
        return bs;
    }

    /** The character at {@code i}: the byte, unless it may stand for a character outside Latin-1. */
    static char at(String text, byte[] cs, int i) {
        int b = cs[i] & 0xFF;
        return b == '?' ? text.charAt(i) : (char) b;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH = 0x8080808080808080L;
    private static final long ONES = 0x0101010101010101L;

    /** Per byte of {@code x7} (every byte below 128): its high bit set when the byte is in {@code [lo, hi]}. */
    private static long inRange(long x7, int lo, int hi) {
        long atLeastLo = x7 + (128 - lo) * ONES;
        long aboveHi = x7 + (127 - hi) * ONES;
        return atLeastLo & ~aboveHi & HIGH;
    }

    /** Per byte of {@code x7} (every byte below 128): its high bit set when the byte is {@code c}. */
    private static long eq(long x7, int c) {
        return ~((x7 ^ (c * ONES)) + 0x7F7F7F7F7F7F7F7FL) & HIGH;
    }

    /** Bytes of plain prose: small ASCII letters and the separators that end a word quietly (space, comma, line feed; a full stop before a blank). */
    private static final boolean[] PLAIN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            PLAIN[c] = true;
        }
        PLAIN[' '] = true;
        PLAIN[','] = true;
        PLAIN['\n'] = true;
        PLAIN['.'] = true;
    }


    /**
     * From {@code i} (a word start or a separator), the position where the word-by-word scan must resume
     * after the longest stretch of {@link #PLAIN} bytes, or {@code i} when no separator ends a word in it.
     * A small-letter word that a separator ends is no finding's start (only "bearer" before a token is, see
     * {@link #bearerAt}) and the scanner keeps no state between words, so skipping those words changes
     * nothing. A capitalised word or a short number after a blank is passed too when {@link #quietCapital}
     * or {@link #quietNumber} shows that the word-by-word scan would find nothing at it; otherwise the
     * stretch stops there. Exactly the bytes from the returned position on are left to the word-by-word scan.
     * <p>
     * Prose is mostly small letters and spaces, so the loop over eight bytes at a time tests only for
     * those (a dozen operations per eight bytes, one predictable branch); every other byte leaves it, and
     * the few that are quiet (a comma, a line break, a full stop before a blank, a quiet capitalised word or
     * number) are passed one by one before it resumes. Where the scan resumes is worked out once, at the
     * end, from the last word's start, not tracked in the loop.
     */
    private int skipPlain(String text, byte[] cs, int i, int n) {
        int p = i;
        // the end of the last thing passed outside the eight-byte loop: the bytes from here to p are small
        // letters and spaces only, so the last word before p starts after a space or here
        int floor = i;
        while (p + 8 <= n) {
            long x = (long) LONGS.get(cs, p);
            long x7 = x & ~HIGH;
            long spaces = eq(x7, ' ');
            long other = (~(inRange(x7, 'a', 'z') | spaces) | x) & HIGH;
            if (other == 0) {
                // eight small letters: perhaps a token after "bearer" (it has at least sixteen, so every such token
                // fills one of these eight-byte windows wholly; shorter words never get here)
                if (spaces == 0 && bearer) {
                    int b = bearerAt(cs, floor, p);
                    if (b >= 0) {
                        return b;
                    }
                }
                p += 8;
                continue;
            }
            int q = p + (Long.numberOfTrailingZeros(other) >>> 3);
            int b = cs[q];
            if (b == ',' || b == '\n' || (b == '.' && q + 1 < n && (cs[q + 1] == ' ' || cs[q + 1] == '\n'))) {
                floor = p = q + 1;
                if (b == '.' && q + 2 < n && cs[q + 2] >= 'A' && cs[q + 2] <= 'Z') {
                    // a sentence's end and the next one's first word, the commonest pair in prose: the capital is
                    // looked at now rather than after another trip round the loop (the branch there mispredicts)
                    int e = quietCapital(text, cs, q + 2, n);
                    if (e < 0) {
                        floor = p = q + 2;
                        break;
                    }
                    floor = p = e;
                }
                continue;
            }
            if (q > i && (cs[q - 1] == ' ' || cs[q - 1] == '\n')) {
                int e = b >= 'A' && b <= 'Z' ? quietCapital(text, cs, q, n) : b >= '0' && b <= '9' ? quietNumber(text, cs, q, n) : -1;
                if (e > q) {
                    floor = p = e;
                    continue;
                }
            }
            p = q;
            break;
        }
        if (bearer) {
            // the stop may be inside a token after "bearer" (its capitals or digits stop the loop): resume at "bearer"
            int b = bearerAt(cs, floor, p);
            if (b >= 0) {
                return b;
            }
        }
        // resume at the start of the word the stop (or the end) is in: the bytes from floor to p are small letters and spaces
        while (p > floor && cs[p - 1] != ' ') {
            p--;
        }
        return p;
    }

    /**
     * Where "bearer" (small letters) begins, before the word of small letters that reaches {@code p}, one or more
     * spaces apart, as a word of its own; -1 if it does not. Looks no further back than {@code floor}: the bytes
     * from there to {@code p} are small letters and spaces, and a word before {@code floor} was the scan's.
     */
    private static int bearerAt(byte[] cs, int floor, int p) {
        int w = p;
        while (w > floor && cs[w - 1] != ' ') {
            w--;
        }
        int k = w;
        while (k > floor && cs[k - 1] == ' ') {
            k--;
        }
        int b = k - 6;
        if (k == w || b < floor || cs[b] != 'b' || cs[b + 1] != 'e' || cs[b + 2] != 'a' || cs[b + 3] != 'r' || cs[b + 4] != 'e' || cs[b + 5] != 'r') {
            return -1;
        }
        return b == floor || cs[b - 1] == ' ' ? b : -1;
    }

    /**
     * The end of the number at {@code q} (a digit after a blank) when the word-by-word scan would pass it: fewer
     * than seven digits, nothing of a word after them, and {@link #quietAfterNumber}, the same tests; else -1.
     */
    private static int quietNumber(String text, byte[] cs, int q, int n) {
        int e = q + 1;
        while (e < n && e - q < 7 && cs[e] >= '0' && cs[e] <= '9') {
            e++;
        }
        if (e >= n || e - q >= 7 || CLASS[cs[e] & 0xFF] != 0 || !quietAfterNumber(text, cs, e, n)) {
            return -1;
        }
        return e;
    }

    /**
     * The end of the capitalised word at {@code q} (a capital after a blank) when the word-by-word scan would
     * find nothing at it: small letters after the capital, a quiet end ({@link #quietEnd}), no pattern
     * ({@link #maybePattern}) and no name ({@link #mayBeName}), the same tests the scan applies; else -1.
     */
    private int quietCapital(String text, byte[] cs, int q, int n) {
        int e = q + 1;
        while (e + 8 <= n) {
            long x = (long) LONGS.get(cs, e);
            long notLower = (~inRange(x & ~HIGH, 'a', 'z') | x) & HIGH;
            if (notLower != 0) {
                e += Long.numberOfTrailingZeros(notLower) >>> 3;
                break;
            }
            e += 8;
        }
        while (e < n && cs[e] >= 'a' && cs[e] <= 'z') {
            e++;
        }
        if (e >= n || CLASS[cs[e] & 0xFF] != 0 || !quietEnd(text, cs, e, n)) {
            return -1;
        }
        int len = e - q;
        if (len <= 8 && q + 8 <= n) {
            // a word of up to eight letters is its own key (its bytes, zero after its end: letters are never zero)
            long key = (long) LONGS.get(cs, q) & (-1L >>> (64 - 8 * len));
            int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - QUIET_SLOTS_BITS));
            if ((long) QUIET.getOpaque(quietWords, slot) == key) {
                // no pattern, name or place can begin with this word; only a capitalised word after it could matter
                return persons && cs[e] == ' ' && e + 1 < n && cs[e + 1] >= 'A' && cs[e + 1] <= 'Z' ? -1 : e;
            }
            if (maybePattern(cs, cs[q], q, e, n) || ((persons || locations) && mayBeName(text, cs, q, e, n))) {
                return -1;
            }
            if (quietWord(cs, q, e)) {
                QUIET.setOpaque(quietWords, slot, key);
            }
            return e;
        }
        if (maybePattern(cs, cs[q], q, e, n) || ((persons || locations) && mayBeName(text, cs, q, e, n))) {
            return -1;
        }
        return e;
    }

    /**
     * Whether the capitalised word {@code cs[q, e)} can begin nothing wherever it stands: not "Bearer", not a
     * month, not a place by its ending, no given name, title or first word of a place. What else
     * {@link #maybePattern} and {@link #mayBeName} look at (a digit soon after a month, a capitalised word
     * next) depends on the text around the word, not on the word.
     */
    private boolean quietWord(byte[] cs, int q, int e) {
        int c = cs[q];
        if (bearer && e - q == 6 && c == 'B' && new String(cs, q, 6, StandardCharsets.ISO_8859_1).equalsIgnoreCase("bearer")) {
            return false;
        }
        if (dates && MONTH_INITIAL[c] && e - q <= 9 && MONTHS.flags(cs, q, e) != 0) {
            return false;
        }
        if (persons || locations) {
            return !(locations && Gazetteer.placeShaped(cs, q, e)) && (gazetteer.folded.flags(cs, q, e) & Gazetteer.NAME_START) == 0;
        }
        return true;
    }

    /**
     * Capitalised words of up to eight letters that {@link #quietWord} said can begin nothing, each stored as its
     * own bytes (a slot holds one word; a later word may replace it). Sentences keep beginning with the same few
     * words, and this one read replaces their look-ups. Shared by the threads that use this analyzer: a slot is
     * one 64-bit value read and written whole, and any value in it is a word that was found quiet.
     */
    private static final int QUIET_SLOTS_BITS = 10;
    private final long[] quietWords = new long[1 << QUIET_SLOTS_BITS];
    private static final java.lang.invoke.VarHandle QUIET = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    /** Whether the character at {@code i} is a letter or digit (the byte answers unless it may stand for another character). */
    private static boolean letterOrDigit(String text, byte[] cs, int i) {
        int b = cs[i];
        return b >= 0 && b != '?' ? CLASS[b] != 0 : Character.isLetterOrDigit(text.charAt(i));
    }

    private static boolean afterWord(String text, byte[] cs, int i) {
        if (i == 0) {
            return false;
        }
        char p = at(text, cs, i - 1);
        return p < 128 ? CLASS[p] != 0 : Character.isLetterOrDigit(p);
    }

    /** Every recognizer that can begin with {@code c}, phones and names: the path for anything not plainly harmless. */
    private void general(String text, byte[] cs, char c, int i, Matcher[][] matchers, Raw raw) {
        Recognizer[] rs = byFirstChar[c];
        if (rs != null) {
            int[] idx = indexByFirstChar[c];
            for (int j = 0; j < rs.length; j++) {
                Recognizer r = rs[j];
                if (r.precheck() != null && !r.precheck().mayStartAt(text, cs, i)) {
                    continue;
                }
                int k = idx[j];
                if (matchers[k] == null) {
                    matchers[k] = new Matcher[r.patterns().size()];
                }
                tryAt(r, matchers[k], text, cs, i, raw);
            }
        }
        if (phones && ((c >= '0' && c <= '9') || c == '+' || c == '(')) {
            phone(text, i, raw);
        }
        if ((persons || locations) && c >= 'A' && c <= 'Z') {
            names(text, cs, i, raw);
        }
    }

    /** Whether the word ends where no pattern continues: white space, {@code , ; ! ? "} or a full stop before white space. */
    private static boolean quietEnd(String text, byte[] cs, int e, int n) {
        if (e >= n) {
            return true;
        }
        char t = at(text, cs, e);
        return switch (t) {
            case ' ', '\n', '\r', '\t', ',', ';', '!', '?', '"' -> true;
            case '.' -> e + 1 >= n || Character.isWhitespace(at(text, cs, e + 1));
            default -> false;
        };
    }

    /** After a short number: quiet, and a space is followed by a lower-case word (not digits, a month, a bracket). */
    private static boolean quietAfterNumber(String text, byte[] cs, int e, int n) {
        if (!quietEnd(text, cs, e, n)) {
            return false;
        }
        if (e < n && cs[e] == ' ') {
            return e + 1 < n && cs[e + 1] >= 'a' && cs[e + 1] <= 'z';
        }
        return e >= n || cs[e] != '.' || e + 1 >= n || cs[e + 1] == ' ' && e + 2 < n && cs[e + 2] >= 'a' && cs[e + 2] <= 'z';
    }

    private static final boolean[] MONTH_INITIAL = new boolean[128];

    static {
        for (char m : "JFMASOND".toCharArray()) {
            MONTH_INITIAL[m] = true;
        }
    }

    /**
     * The month names and abbreviations of the month-first date patterns ({@link Recognizers}): those patterns
     * are case-sensitive and continue a month only with {@code .} or a space, so a word must be one of these.
     */
    private static final Lexicon MONTHS;

    static {
        Map<String, Integer> months = new HashMap<>();
        Lexicon.mark(months, List.of("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec"), 1);
        MONTHS = Lexicon.exact(months, Map.of());
    }

    /** The only patterns a plain word can begin: a bearer token, and a month name with a number soon after. */
    private boolean maybePattern(byte[] cs, int c, int i, int e, int n) {
        if (e - i == 6 && (c == 'b' || c == 'B') && bearer && new String(cs, i, 6, StandardCharsets.ISO_8859_1).equalsIgnoreCase("bearer")) {
            return true;
        }
        if (dates && MONTH_INITIAL[c] && e - i <= 9 && MONTHS.flags(cs, i, e) != 0) {
            int end = Math.min(n, i + 12);
            for (int k = e; k < end; k++) {
                if (cs[k] >= '0' && cs[k] <= '9') {
                    return true;
                }
            }
        }
        return false;
    }

    /** Prefilter for {@link #names}: the word may be a given name, title or place, or a family name follows it. */
    private boolean mayBeName(String text, byte[] cs, int i, int e, int n) {
        if (persons && e + 1 < n && cs[e] == ' ' && cs[e + 1] >= 'A' && cs[e + 1] <= 'Z') {
            return true; // two capitalised words in a row: a known family name, or a name by its cues
        }
        if (locations && Gazetteer.placeShaped(cs, i, e)) {
            return true;
        }
        return (gazetteer.folded.flags(cs, i, e) & Gazetteer.NAME_START) != 0;
    }

    private static int wordEnd(String text, byte[] cs, int i, int n) {
        int e = i;
        while (e < n) {
            int c = cs[e];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || ((c == '\'' || c == '-') && e + 1 < n && Character.isLetter(at(text, cs, e + 1)))) {
                e++;
            } else {
                break;
            }
        }
        return e;
    }

    private void tryAt(Recognizer r, Matcher[] ms, String text, byte[] cs, int i, Raw out) {
        List<Recognizer.PatternDef> ps = r.patterns();
        for (int k = 0; k < ps.size(); k++) {
            Recognizer.PatternDef p = ps.get(k);
            if (p.prefix() != null && !prefixAt(cs, i, p.prefix(), p.ignoreCasePrefix())) {
                continue;
            }
            Matcher m = ms[k];
            if (m == null) {
                m = ms[k] = p.regex().matcher(text);
            }
            m.region(i, text.length());
            if (m.lookingAt()) {
                int s = m.start(p.group());
                int e = m.end(p.group());
                if (r.entity().equals("URL")) {
                    while (e > s && ".,;:!?)'\"".indexOf(text.charAt(e - 1)) >= 0) {
                        e--;
                    }
                }
                add(r, text, s, e, p.score(), out);
            }
        }
    }

    /**
     * Whether the ASCII {@code prefix} stands at {@code i}, its letters in either case when {@code ignoreCase}, read
     * from the scanner's bytes (the string's own array is elsewhere in memory, a cache miss at each word). A character
     * outside ASCII never matches here, where {@code String.regionMatches} would let a few ("ı", "ſ") match a letter
     * ignoring case; every prefixed pattern needs those ASCII letters at its start, so it could not match there either.
     */
    private static boolean prefixAt(byte[] cs, int i, String prefix, boolean ignoreCase) {
        int len = prefix.length();
        if (i + len > cs.length) {
            return false;
        }
        for (int j = 0; j < len; j++) {
            int b = cs[i + j];
            int p = prefix.charAt(j);
            if (b != p && !(ignoreCase && (b | 0x20) == (p | 0x20) && (p | 0x20) >= 'a' && (p | 0x20) <= 'z')) {
                return false;
            }
        }
        return true;
    }

    private void add(Recognizer r, String text, int s, int e, double score, Raw out) {
        if (e <= s) {
            return;
        }
        if (r.validator() != null) {
            Boolean v = r.validator().apply(text.substring(s, e));
            if (v != null) {
                if (!v) {
                    return;
                }
                score = Math.max(score, r.validScore());
            }
        }
        out.add(new Finding(r.entity(), s, e, score));
    }

    private void email(String text, int at, Raw out) {
        int s = at;
        String back = email.backOver();
        while (s > 0 && back.indexOf(text.charAt(s - 1)) >= 0) {
            s--;
        }
        while (s < at && ".".indexOf(text.charAt(s)) >= 0) {
            s++;
        }
        if (s == at) {
            return;
        }
        Matcher m = email.patterns().getFirst().regex().matcher(text);
        m.region(s, text.length());
        if (m.lookingAt()) {
            add(email, text, s, m.end(), email.patterns().getFirst().score(), out);
        }
    }

    private static final Pattern SSN_SHAPE = Pattern.compile("\\d{3}-\\d{2}-\\d{4}");

    private void phone(String text, int i, Raw out) {
        int n = text.length();
        if (i >= 2 && " -.".indexOf(text.charAt(i - 1)) >= 0 && Character.isDigit(text.charAt(i - 2))) {
            return; // the middle of a longer group of numbers (a card, an account), not the start of a phone number
        }
        int end = i;
        int digits = 0;
        int lastDigit = -1;
        while (end < n && end - i < 32) {
            char c = text.charAt(end);
            if (c >= '0' && c <= '9') {
                digits++;
                lastDigit = end;
            } else if (" -.()+/".indexOf(c) < 0) {
                break;
            }
            end++;
        }
        if (digits < 7 || digits > 15) {
            return;
        }
        String window = text.substring(i, lastDigit + 1);
        if (SSN_SHAPE.matcher(window).matches()) {
            return; // 3-2-4 is how SSNs are written; no numbering plan groups phone numbers that way
        }
        if (digits < 10 && window.length() == digits) {
            return; // a bare run of fewer than ten digits is an order or ticket number far more often than a phone
        }
        // parse-and-validate per region (libphonenumber's matcher is far slower and finds the same here)
        for (String region : window.charAt(0) == '+' ? List.of("ZZ") : PHONE_REGIONS) {
            try {
                if (PHONES.isValidNumber(PHONES.parse(window, region))) {
                    out.add(new Finding(Recognizers.PHONE, i, lastDigit + 1, 0.4));
                    return;
                }
            } catch (NumberParseException e) {
                // not a number in this region's plan
            }
        }
    }

    /** The start of the next capitalised word after {@code e} (one space or ". " for an initial), or -1. */
    private static int nextCapital(String text, byte[] cs, int e) {
        int n = cs.length;
        if (e + 1 < n && cs[e] == ' ' && upper(text, cs, e + 1)) {
            return e + 1;
        }
        return -1;
    }

    private void names(String text, byte[] cs, int i, Raw out) {
        int n = cs.length;
        int e = wordEnd(text, cs, i, n);
        if (e - i < 2 && !(e < n && cs[e] == '.')) {
            return;
        }
        // words come from wordEnd: ASCII letters, apostrophes and hyphens, so the byte slices are the words
        int word = gazetteer.exact.flags(cs, i, e);
        // in three parts, each compiled on its own: as one method (974 bytes of bytecode) it was among the last
        // the JIT's optimising tier took up
        if (locations) {
            places(text, cs, i, e, word, out);
        }
        if (persons) {
            persons(text, cs, i, e, word, out);
        }
    }

    /** The places that can begin at the capitalised word {@code cs[i, e)} (in the lists {@code word}): by list, by shape, after a direction. */
    private void places(String text, byte[] cs, int i, int e, int word, Raw out) {
        int n = cs.length;
        Lexicon lex = gazetteer.exact;
        // a place the list does not know, by its shape: "Kochport", "North Jaimie"; weak until a cue ("in", "moved to") raises it
        if ((word & Gazetteer.DIRECTION) != 0) {
            int next = nextCapital(text, cs, e);
            if (next > 0) {
                int ne = wordEnd(text, cs, next, n);
                if (properWord(text, cs, next, ne) && (lex.flags(cs, next, ne) & Gazetteer.NOT_NAME) == 0) {
                    out.add(new Finding(Recognizers.LOCATION, i, ne, 0.4));
                }
            }
        } else if (e - i >= 6 && (word & Gazetteer.PLACE_START) == 0 && Gazetteer.placeShaped(cs, i, e) && !afterCapitalWord(text, cs, i)) {
            out.add(new Finding(Recognizers.LOCATION, i, e, 0.35));
        }
        if ((word & Gazetteer.PLACE_START) != 0) {
            int[] lens = lex.lengths(cs, i, e);
            for (int len : lens) {
                int end = e;
                int k = 1;
                while (k < len) {
                    int next = nextWordAny(text, cs, end);
                    if (next < 0) {
                        break;
                    }
                    end = wordEnd(text, cs, next, n);
                    if (end == next) {
                        break;
                    }
                    k++;
                }
                if (k == len && (lex.flags(cs, i, end) & Gazetteer.PLACE) != 0) {
                    out.add(new Finding(Recognizers.LOCATION, i, end, len > 1 ? 0.85 : 0.6));
                    break;
                }
            }
        }
    }

    /** The persons that can begin at the capitalised word {@code cs[i, e)} (in the lists {@code word}): after a title, by given or family name, by cues. */
    private void persons(String text, byte[] cs, int i, int e, int word, Raw out) {
        int n = cs.length;
        Lexicon lex = gazetteer.exact;
        if ((word & Gazetteer.TITLE) != 0) {
            int s = e < n && cs[e] == '.' ? e + 1 : e;
            int first = nextCapital(text, cs, s);
            if (first > 0) {
                int end = capitalRun(text, cs, first, 3);
                out.add(new Finding(Recognizers.PERSON, first, end, 0.85));
            }
            return;
        }
        Lexicon folded = gazetteer.folded;
        if ((folded.flags(cs, i, e) & Gazetteer.FIRST_NAME) != 0 && (word & Gazetteer.NOT_NAME) == 0) {
            int next = nextCapital(text, cs, e);
            if (next > 0 && (lex.flags(cs, next, wordEnd(text, cs, next, n)) & Gazetteer.NOT_NAME) == 0) {
                int end = capitalRun(text, cs, next, 2);
                boolean surname = (folded.flags(cs, lastWordStart(text, cs, end), end) & Gazetteer.SURNAME) != 0;
                out.add(new Finding(Recognizers.PERSON, i, end, surname ? 0.85 : 0.7));
            } else {
                out.add(new Finding(Recognizers.PERSON, i, e, 0.3));
            }
            return;
        }
        if ((word & (Gazetteer.NOT_NAME | Gazetteer.PLACE)) == 0) {
            int next = nextCapital(text, cs, e);
            if (next > 0) {
                capitalisedPair(text, cs, i, e, word, next, out);
            }
        }
    }

    /** Two capitalised words, {@code cs[i, e)} (no given name, not common, no place) and the one at {@code next}: a family name, or a name by its cues. */
    private void capitalisedPair(String text, byte[] cs, int i, int e, int word, int next, Raw out) {
        int n = cs.length;
        Lexicon folded = gazetteer.folded;
        int ne = wordEnd(text, cs, next, n);
        if ((folded.flags(cs, next, ne) & Gazetteer.SURNAME) != 0) {
            out.add(new Finding(Recognizers.PERSON, i, ne, sentenceStart(text, cs, i) ? 0.5 : 0.6));
        } else if (properWord(text, cs, i, e) && !afterCapitalWord(text, cs, i) && (i == 0 || Character.isWhitespace(at(text, cs, i - 1))
                || "(\"[".indexOf(at(text, cs, i - 1)) >= 0)) {
            // two or three capitalised words no list knows: weak evidence, raised by a person cue before
            // them ("Dear", "Call", "name:") or a verb people do after them ("moved", "said")
            long run = properRun(text, cs, i, 3);
            int end = (int) run;
            // the lists any word of the run is in (the first word's are known, properRun looked up the others'), for
            // both questions below
            int lists = end > e ? word | (int) (run >>> 32) : 0;
            if ((lists & Gazetteer.ORG_WORD) != 0) {
                return; // "Google Cloud", "Control Systems": an organisation or a product
            }
            if ((lists & Gazetteer.PLACE_WORD) != 0) {
                // "Cayman Islands": a place by its common noun, not a person; weak until a cue raises it
                if (locations) {
                    out.add(new Finding(Recognizers.LOCATION, i, end, 0.35));
                }
            } else if (end > e) {
                // mid-sentence, capitalised words that no list calls common are a name as often as not
                // (not in title case: a capitalised word among the three before means a title, "For Whom the Bell Tolls")
                double score = personVerbAfter(text, cs, end) ? 0.6
                        : sentenceStart(text, cs, i) || afterCommonWord(text, cs, i) || titleCaseBefore(text, cs, i) ? 0.35 : 0.5;
                out.add(new Finding(Recognizers.PERSON, i, end, score));
            }
        }
    }

    /** A capitalised word with at least one small letter after its first ("Kessler", "VonRueden", "O'Kon"; not "IV", "DDS"). */
    private static boolean properWord(String text, byte[] cs, int s, int e) {
        if (e - s < 2 || !upper(text, cs, s)) {
            return false;
        }
        for (int k = s + 1; k < e; k++) {
            if (lower(text, cs, k)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Up to {@code max} proper words from {@code s}, one space apart, none a common capitalised word, title or place:
     * the end in the low 32 bits, the lists ({@link Gazetteer#exact}) of the words after the first in the high 32.
     */
    private long properRun(String text, byte[] cs, int s, int max) {
        int n = cs.length;
        int end = wordEnd(text, cs, s, n);
        int lists = 0;
        for (int k = 1; k < max; k++) {
            int next = nextCapital(text, cs, end);
            if (next < 0) {
                break;
            }
            int ne = wordEnd(text, cs, next, n);
            if (!properWord(text, cs, next, ne)) {
                break;
            }
            int flags = gazetteer.exact.flags(cs, next, ne);
            if ((flags & (Gazetteer.NOT_NAME | Gazetteer.TITLE | Gazetteer.PLACE_START)) != 0) {
                break;
            }
            lists |= flags;
            end = ne;
        }
        return ((long) lists << 32) | end;
    }

    /** Whether the word before {@code i} (one space back) is capitalised: {@code i} is inside a run of them, not its start. */
    private boolean afterCapitalWord(String text, byte[] cs, int i) {
        if (i < 2 || cs[i - 1] != ' ') {
            return false;
        }
        int k = i - 2;
        while (k > 0 && letter(text, cs, k - 1)) {
            k--;
        }
        return upper(text, cs, k) && letter(text, cs, i - 2)
                && (gazetteer.exact.flags(cs, k, i - 1) & Gazetteer.NOT_NAME) == 0;
    }

    /** Whether a common capitalised word ("Meet", "Yesterday") stands right before {@code i}, as a sentence's first word would. */
    private static boolean afterCommonWord(String text, byte[] cs, int i) {
        if (i < 2 || cs[i - 1] != ' ' || !letter(text, cs, i - 2)) {
            return false;
        }
        int k = i - 2;
        while (k > 0 && letter(text, cs, k - 1)) {
            k--;
        }
        return upper(text, cs, k) && sentenceStart(text, cs, k);
    }

    /** Whether one of the three words before {@code i}, in the same sentence, is capitalised and not the sentence's first. */
    private boolean titleCaseBefore(String text, byte[] cs, int i) {
        int k = i;
        for (int w = 0; w < 3; w++) {
            if (k < 2 || cs[k - 1] != ' ' || !letter(text, cs, k - 2)) {
                return false;
            }
            int e = k - 1;
            k = e;
            while (k > 0 && (letter(text, cs, k - 1) || cs[k - 1] == '\'')) {
                k--;
            }
            if (upper(text, cs, k) && !sentenceStart(text, cs, k) && (gazetteer.exact.flags(cs, k, e) & Gazetteer.TITLE) == 0) {
                return true;
            }
        }
        return false;
    }

    private boolean personVerbAfter(String text, byte[] cs, int end) {
        if (end + 1 >= cs.length || cs[end] != ' ') {
            return false;
        }
        int ne = wordEnd(text, cs, end + 1, cs.length);
        return ne > end + 1 && (gazetteer.exact.flags(cs, end + 1, ne) & Gazetteer.PERSON_VERB) != 0;
    }

    private static int nextWordAny(String text, byte[] cs, int e) {
        return e + 1 < cs.length && cs[e] == ' ' && letter(text, cs, e + 1) ? e + 1 : -1;
    }

    /** Up to {@code max} capitalised words (an initial with a dot counts) from {@code s}; returns the end. */
    private int capitalRun(String text, byte[] cs, int s, int max) {
        int n = cs.length;
        int end = wordEnd(text, cs, s, n);
        if (end < text.length() && end - s == 1 && text.charAt(end) == '.') {
            end++;
        }
        for (int k = 1; k < max; k++) {
            int next = nextCapital(text, cs, end);
            if (next < 0) {
                break;
            }
            int ne = wordEnd(text, cs, next, n);
            if (ne == next || (gazetteer.exact.flags(cs, next, ne) & Gazetteer.NOT_NAME) != 0) {
                break;
            }
            if (ne < text.length() && ne - next == 1 && text.charAt(ne) == '.') {
                ne++;
            }
            end = ne;
        }
        while (end > s && text.charAt(end - 1) == '.') {
            end--;
        }
        return end;
    }

    private static int lastWordStart(String text, byte[] cs, int end) {
        int s = end;
        while (s > 0 && letter(text, cs, s - 1)) {
            s--;
        }
        return s;
    }

    private static boolean sentenceStart(String text, byte[] cs, int i) {
        int k = i - 1;
        while (k >= 0 && cs[k] == ' ') {
            k--;
        }
        if (k < 0) {
            return true;
        }
        int b = cs[k];
        return b == '?' ? text.charAt(k) == '?' : b > 0 && SENTENCE_END[b];
    }

    /** What ends a sentence before a word: {@code . ! ? :}, line breaks, a tab, a closing quote. */
    private static final boolean[] SENTENCE_END = new boolean[128];

    static {
        for (char c : ".!?:\n\r\t\"".toCharArray()) {
            SENTENCE_END[c] = true;
        }
    }

    /** {@link Character#isLetter} at {@code i}, from the byte when it is an ASCII character. */
    private static boolean letter(String text, byte[] cs, int i) {
        int b = cs[i];
        return b >= 0 && b != '?' ? (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') : Character.isLetter(text.charAt(i));
    }

    /** {@link Character#isUpperCase} at {@code i}, from the byte when it is an ASCII character. */
    private static boolean upper(String text, byte[] cs, int i) {
        int b = cs[i];
        return b >= 0 && b != '?' ? b >= 'A' && b <= 'Z' : Character.isUpperCase(text.charAt(i));
    }

    /** {@link Character#isLowerCase} at {@code i}, from the byte when it is an ASCII character. */
    private static boolean lower(String text, byte[] cs, int i) {
        int b = cs[i];
        return b >= 0 && b != '?' ? b >= 'a' && b <= 'z' : Character.isLowerCase(text.charAt(i));
    }

    /**
     * The findings of one scan before {@link #finish}, each with whether a context word stands in the five words
     * before it ({@link #hasContext}). That is looked up as the finding is added, while the scan has the bytes
     * before it in the processor's cache; looked up at the end, after megabytes of text, each was a cache miss.
     */
    private final class Raw extends ArrayList<Finding> {
        private final String text;
        private final byte[] cs;
        /** Bit {@code k}: the finding at index {@code k} has a context word before it. */
        private long[] context = new long[1];
        /** The context words of the last entity added: findings come in runs of one entity. */
        private String entity;
        private Set<String> ctx;
        private Lexicon words;

        Raw(String text, byte[] cs) {
            this.text = text;
            this.cs = cs;
        }

        @Override
        public boolean add(Finding f) {
            int k = size();
            super.add(f);
            if (f.entity() != entity) {
                entity = f.entity();
                ctx = contextByEntity.get(entity);
                words = contextWords.get(entity);
            }
            if (f.score() < 1.0 && ctx != null && !ctx.isEmpty() && hasContext(text, cs, f.start(), ctx, words)) {
                if ((k >>> 6) >= context.length) {
                    context = java.util.Arrays.copyOf(context, Math.max(context.length * 2, (k >>> 6) + 1));
                }
                context[k >>> 6] |= 1L << k;
            }
            return true;
        }

        boolean context(int k) {
            return (k >>> 6) < context.length && (context[k >>> 6] & (1L << k)) != 0;
        }
    }

    private List<Finding> finish(String text, byte[] cs, Raw raw) {
        List<Finding> kept = new ArrayList<>(raw.size());
        // findings come in runs of one entity: its threshold is looked up once per run
        String entity = null;
        double threshold = 0;
        for (int k = 0; k < raw.size(); k++) {
            Finding f = raw.get(k);
            if (f.entity() != entity) {
                entity = f.entity();
                threshold = minScore != null ? minScore : DEFAULT_THRESHOLDS.getOrDefault(entity, DEFAULT_THRESHOLD);
            }
            double score = f.score();
            if (raw.context(k)) {
                score = Math.max(Math.min(1.0, score + CONTEXT_BOOST), MIN_WITH_CONTEXT);
            }
            if (score < threshold || score <= 0) {
                continue;
            }
            if (!allowExact.isEmpty() || !allowPatterns.isEmpty()) {
                String v = text.substring(f.start(), f.end());
                if (allowExact.contains(v) || allowPatterns.stream().anyMatch(p -> p.matcher(v).matches())) {
                    continue;
                }
            }
            kept.add(score == f.score() ? f : new Finding(f.entity(), f.start(), f.end(), score));
        }
        return Overlaps.removeDuplicates(kept);
    }

    /** Whether one of the five words before {@code start} is a context word (case-insensitive, trailing {@code :#} ignored). */
    static boolean hasContext(String text, int start, Set<String> ctx) {
        return hasContext(text, latin1(text), start, ctx, null);
    }

    /** As {@link #hasContext(String, int, Set)}; an ASCII word is answered by {@code table} (the same set as a table) without a substring. */
    private static boolean hasContext(String text, byte[] cs, int start, Set<String> ctx, Lexicon table) {
        int k = start;
        int words = 0;
        int floor = Math.max(0, start - 120);
        while (k > floor && words < CONTEXT_WORDS) {
            while (k > floor && !letterOrDigit(text, cs, k - 1)) {
                k--;
            }
            int e = k;
            boolean ascii = true;
            while (k > floor) {
                int b = cs[k - 1];
                if (b >= 0 && b != '?') {
                    if (CLASS[b] == 0 && b != '\'' && b != '-') {
                        break;
                    }
                } else {
                    char ch = text.charAt(k - 1);
                    if (!Character.isLetterOrDigit(ch) && ch != '\'' && ch != '-') {
                        break;
                    }
                    ascii &= ch < 128;
                }
                k--;
            }
            if (e > k) {
                words++;
                if (table != null && ascii) {
                    // the byte slice is the word, and the table answers exactly what the set would (ASCII case ignored)
                    if (table.flags(cs, k, e) != 0 || ((cs[e - 1] | 0x20) == 's' && table.flags(cs, k, e - 1) != 0)) {
                        return true;
                    }
                    continue;
                }
                String w = text.substring(k, e).toLowerCase(Locale.ROOT);
                if (ctx.contains(w) || (w.endsWith("s") && ctx.contains(w.substring(0, w.length() - 1)))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Orders findings by position for callers that want a stable order. */
    static final Comparator<Finding> BY_START = (a, b) -> a.start() != b.start() ? Integer.compare(a.start(), b.start())
            : Integer.compare(a.end(), b.end());
}
