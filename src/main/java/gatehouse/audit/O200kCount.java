package gatehouse.audit;

/**
 * o200k_base token counts, exactly as jtokkit counts them, without its pre-tokenizing regular
 * expression or its encoding: the text is cut into the very pieces that expression matches by a
 * hand-written scanner ({@link #pieceEnd}), and each piece's byte-pair tokens are counted with
 * {@link O200kVocabulary}, once per distinct piece while it is remembered. The expression cost
 * about 0.1 µs per character (the whole of a small record's token count, and most of a 100 KB
 * result's sampled count); words, spaces and punctuation repeat, so most pieces are found in
 * memory.
 *
 * <p>The scanner follows the expression's seven alternatives in order, with its greedy matching
 * and backtracking spelled out, over code points, with the flag jtokkit compiles it with
 * ({@code UNICODE_CHARACTER_CLASS}: {@code \s} is Unicode white space, and the contractions match
 * case-insensitively in Unicode's way):
 * <ol>
 * <li>{@code [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?}
 * <li>{@code [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?}
 * <li>{@code \p{N}{1,3}}
 * <li>{@code  ?[^\s\p{L}\p{N}]+[\r\n/]*}
 * <li>{@code \s*[\r\n]+}
 * <li>{@code \s+(?!\S)}
 * <li>{@code \s+}
 * </ol>
 * O200kCountTest compares its counts with jtokkit's and its pieces with the expression's on a
 * varied corpus and on every code point.
 */
public final class O200kCount {
    /** Pieces up to this long are remembered (longer ones are rare: long numbers are cut in threes, long words are few). */
    static final int REMEMBERED_PIECE_CHARS = 32;
    /** How many distinct pieces are remembered; when full, the memory starts again (a few MB at most). */
    static final int REMEMBERED_PIECES = 16 * 1024;

    /** Slots of the open-addressing memory of pieces: twice as many as it holds, a power of two. */
    private static final int SLOTS = 2 * REMEMBERED_PIECES;

    /** Longer pieces are written into a buffer of their own, so the shared one stays small. */
    private static final int BUFFERED_PIECE_CHARS = 1024;

    private final O200kVocabulary vocabulary;
    /** A piece's UTF-8 bytes, as the vocabulary counts them. */
    private final byte[] utf8 = new byte[3 * BUFFERED_PIECE_CHARS];
    /**
     * Remembered pieces and their token counts, looked up by the characters of the text itself, so
     * a piece found in memory costs no copy.
     */
    private final String[] pieces = new String[SLOTS];
    private final int[] piecesTokens = new int[SLOTS];
    private int remembered;

    public O200kCount() {
        this(O200kVocabulary.get());
    }

    O200kCount(O200kVocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /** The tokens of {@code text}: the same as jtokkit's {@code countTokensOrdinary}. */
    public synchronized int count(String text) {
        int n = text.length();
        int tokens = 0;
        int i = 0;
        while (i < n) {
            int end = pieceEnd(text, i);
            tokens += pieceTokens(text, i, end);
            i = end;
        }
        return tokens;
    }

    private int pieceTokens(String text, int from, int to) {
        int length = to - from;
        if (length > REMEMBERED_PIECE_CHARS) {
            return bytePairs(text, from, to);
        }
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + text.charAt(i);
        }
        int slot = (h ^ h >>> 15) & SLOTS - 1;
        while (true) {
            String known = pieces[slot];
            if (known == null) {
                break;
            }
            if (known.length() == length && text.regionMatches(from, known, 0, length)) {
                return piecesTokens[slot];
            }
            slot = slot + 1 & SLOTS - 1;
        }
        String piece = text.substring(from, to);
        int tokens = bytePairs(text, from, to);
        if (remembered == REMEMBERED_PIECES) {
            java.util.Arrays.fill(pieces, null); // start again (half the slots stay free, so probes stay short)
            remembered = 0;
            slot = (h ^ h >>> 15) & SLOTS - 1;
        }
        pieces[slot] = piece;
        piecesTokens[slot] = tokens;
        remembered++;
        return tokens;
    }

    /**
     * The byte-pair tokens of {@code text[from, to)}, from its UTF-8 bytes as {@link String#getBytes}
     * writes them (a lone surrogate is a {@code ?}), written here without a copy of the piece.
     */
    private int bytePairs(String text, int from, int to) {
        byte[] b = to - from <= BUFFERED_PIECE_CHARS ? utf8 : new byte[3 * (to - from)];
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                b[n++] = (byte) c;
            } else if (c < 0x800) {
                b[n++] = (byte) (0xc0 | c >> 6);
                b[n++] = (byte) (0x80 | c & 0x3f);
            } else if (!Character.isSurrogate(c)) {
                b[n++] = (byte) (0xe0 | c >> 12);
                b[n++] = (byte) (0x80 | c >> 6 & 0x3f);
                b[n++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                int p = Character.toCodePoint(c, text.charAt(++i));
                b[n++] = (byte) (0xf0 | p >> 18);
                b[n++] = (byte) (0x80 | p >> 12 & 0x3f);
                b[n++] = (byte) (0x80 | p >> 6 & 0x3f);
                b[n++] = (byte) (0x80 | p & 0x3f);
            } else {
                b[n++] = '?';
            }
        }
        return vocabulary.count(b, n);
    }

    /** Where the piece that starts at {@code i} ends: the end of the expression's match at {@code i}. */
    static int pieceEnd(String s, int i) {
        int n = s.length();
        int c = Character.codePointAt(s, i);
        int afterC = i + Character.charCount(c);
        // 1 and 2: letters (and marks), with an optional leading character that is no letter, digit or line break
        boolean prefix = !isLetter(c) && !isNumber(c) && c != '\r' && c != '\n';
        if (prefix) {
            int end = lowerEnd(s, afterC);
            if (end >= 0) {
                return contraction(s, end);
            }
        }
        int end = lowerEnd(s, i);
        if (end >= 0) {
            return contraction(s, end);
        }
        if (prefix) {
            end = upperEnd(s, afterC);
            if (end >= 0) {
                return contraction(s, end);
            }
        }
        end = upperEnd(s, i);
        if (end >= 0) {
            return contraction(s, end);
        }
        // 3: one to three digits
        if (isNumber(c)) {
            int j = afterC;
            for (int k = 1; k < 3 && j < n; k++) {
                int d = Character.codePointAt(s, j);
                if (!isNumber(d)) {
                    break;
                }
                j += Character.charCount(d);
            }
            return j;
        }
        // 4: an optional space, then punctuation and symbols, then line breaks and slashes
        int j = i;
        if (c == ' ' && afterC < n && isOther(Character.codePointAt(s, afterC))) {
            j = afterC;
        }
        if (isOther(Character.codePointAt(s, j))) {
            while (j < n) {
                int d = Character.codePointAt(s, j);
                if (!isOther(d)) {
                    break;
                }
                j += Character.charCount(d);
            }
            while (j < n && (s.charAt(j) == '\r' || s.charAt(j) == '\n' || s.charAt(j) == '/')) {
                j++;
            }
            return j;
        }
        // c is white space (every white space character is one char)
        int run = i;
        int lastBreak = -1;
        while (run < n && isSpace(s.charAt(run))) {
            char w = s.charAt(run);
            if (w == '\r' || w == '\n') {
                lastBreak = run;
            }
            run++;
        }
        // 5: white space up to the last line break in it
        if (lastBreak >= 0) {
            return lastBreak + 1;
        }
        // 6: white space not followed by anything else (the run, or it less its last character), 7: the run
        if (run == n || run - i == 1) {
            return run;
        }
        return run - 1;
    }

    /**
     * {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+} at {@code p}: the first
     * part takes all it can and gives back until the second finds a character; -1 if it never does.
     */
    private static int lowerEnd(String s, int p) {
        int n = s.length();
        int q = upperRunEnd(s, p);
        // give back one code point at a time, from q down to p, until a lower-part character starts there
        int at = q;
        while (true) {
            if (at < n && isLowerPart(Character.codePointAt(s, at))) {
                return lowerRunEnd(s, at);
            }
            if (at == p) {
                return -1;
            }
            at -= Character.charCount(Character.codePointBefore(s, at));
        }
    }

    /** {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*} at {@code p}; -1 if no character of the first part is there. */
    private static int upperEnd(String s, int p) {
        int q = upperRunEnd(s, p);
        return q == p ? -1 : lowerRunEnd(s, q);
    }

    /** The end of the run of {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]} code points from {@code p} ({@code p} itself if none). */
    private static int upperRunEnd(String s, int p) {
        int n = s.length();
        int q = p;
        while (q < n) {
            int d = Character.codePointAt(s, q);
            if (!isUpperPart(d)) {
                break;
            }
            q += Character.charCount(d);
        }
        return q;
    }

    private static int lowerRunEnd(String s, int q) {
        int n = s.length();
        while (q < n) {
            int d = Character.codePointAt(s, q);
            if (!isLowerPart(d)) {
                break;
            }
            q += Character.charCount(d);
        }
        return q;
    }

    /** {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)?} at {@code e}, the first alternative that matches. */
    private static int contraction(String s, int e) {
        int n = s.length();
        if (e + 1 >= n || s.charAt(e) != '\'') {
            return e;
        }
        char a = s.charAt(e + 1);
        if (caseless(a, 's') || caseless(a, 't') || caseless(a, 'm') || caseless(a, 'd')) {
            return e + 2;
        }
        if (e + 2 < n) {
            char b = s.charAt(e + 2);
            if (caseless(a, 'r') && caseless(b, 'e') || caseless(a, 'v') && caseless(b, 'e') || caseless(a, 'l') && caseless(b, 'l')) {
                return e + 3;
            }
        }
        return e;
    }

    /** Whether {@code c} matches the lower-case ASCII letter {@code letter} case-insensitively, in Unicode's way (ſ is an s). */
    private static boolean caseless(char c, char letter) {
        return c == letter || Character.toLowerCase(Character.toUpperCase(c)) == letter;
    }

    private static final int LETTER = 1 << Character.UPPERCASE_LETTER | 1 << Character.LOWERCASE_LETTER | 1 << Character.TITLECASE_LETTER
            | 1 << Character.MODIFIER_LETTER | 1 << Character.OTHER_LETTER;
    private static final int NUMBER = 1 << Character.DECIMAL_DIGIT_NUMBER | 1 << Character.LETTER_NUMBER | 1 << Character.OTHER_NUMBER;
    private static final int MARK = 1 << Character.NON_SPACING_MARK | 1 << Character.ENCLOSING_MARK | 1 << Character.COMBINING_SPACING_MARK;
    private static final int UPPER_PART = 1 << Character.UPPERCASE_LETTER | 1 << Character.TITLECASE_LETTER | 1 << Character.MODIFIER_LETTER
            | 1 << Character.OTHER_LETTER | MARK;
    private static final int LOWER_PART = 1 << Character.LOWERCASE_LETTER | 1 << Character.MODIFIER_LETTER | 1 << Character.OTHER_LETTER
            | MARK;
    private static final int SEPARATOR = 1 << Character.SPACE_SEPARATOR | 1 << Character.LINE_SEPARATOR | 1 << Character.PARAGRAPH_SEPARATOR;

    private static boolean is(int categories, int c) {
        if (c < 0x80) {
            return (categories >>> ASCII[c] & 1) != 0;
        }
        return (categories >>> Character.getType(c) & 1) != 0;
    }

    /** The general category of each ASCII character, looked up without Character's tables. */
    private static final byte[] ASCII = new byte[0x80];

    static {
        for (int c = 0; c < 0x80; c++) {
            ASCII[c] = (byte) Character.getType(c);
        }
    }

    static boolean isLetter(int c) {
        return is(LETTER, c);
    }

    static boolean isNumber(int c) {
        return is(NUMBER, c);
    }

    static boolean isUpperPart(int c) {
        return is(UPPER_PART, c);
    }

    static boolean isLowerPart(int c) {
        return is(LOWER_PART, c);
    }

    /** {@code \s} with {@code UNICODE_CHARACTER_CLASS}: Unicode white space. */
    static boolean isSpace(int c) {
        return c >= 0x9 && c <= 0xd || c == 0x20 || c == 0x85 || c > 0x7f && is(SEPARATOR, c);
    }

    /** {@code [^\s\p{L}\p{N}]}: punctuation, symbols, marks, controls and the like. */
    static boolean isOther(int c) {
        return !isSpace(c) && !is(LETTER | NUMBER, c);
    }
}
