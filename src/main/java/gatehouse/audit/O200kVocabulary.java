package gatehouse.audit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

import com.knuddels.jtokkit.Encodings;

/**
 * The o200k_base byte-pair vocabulary, held for counting only: every token's bytes in one array,
 * where each token starts in another, and an open-addressing table from bytes to rank, about 4.5 MB
 * in a handful of objects. jtokkit's own encoding holds the same vocabulary as some 600,000 small
 * objects (hash map entries, boxed ranks, wrapped byte arrays, for encoding and for decoding),
 * about 28 MB of heap for as long as the application runs, and took about 300 ms to load against
 * 70 ms here. The vocabulary is read from jtokkit's jar ({@code o200k_base.tiktoken}: per line, a
 * token's bytes in base64 and its rank, in rank order).
 *
 * <p>{@link #count} counts the tokens of one piece of text as jtokkit does: start with one part
 * per byte, merge the neighbouring pair whose joined bytes are the token of the lowest rank (of
 * equal ones, the leftmost), until no pair is a token. O200kVocabularyTest checks every token
 * against jtokkit's and the merging against that rule written plainly; O200kCountTest compares
 * counts with jtokkit's on long and random pieces.
 */
final class O200kVocabulary {
    /** No token: the rank of bytes that are not one. */
    static final int NONE = Integer.MAX_VALUE;
    /**
     * Pieces from this many bytes on are merged with a heap of their pairs; shorter ones by looking
     * through all pairs for each merge, which is as quick up to about here but takes quadratic time
     * (a run of 20,000 spaces or punctuation characters is one piece).
     */
    static final int LONG_PIECE_BYTES = 64;

    private static final String RESOURCE = "/com/knuddels/jtokkit/o200k_base.tiktoken";
    /** A table entry: the rank plus one (0 is an empty slot) in the low bits, the top bits of the bytes' hash above them. */
    private static final int RANK_BITS = 18;
    private static final int RANK_MASK = (1 << RANK_BITS) - 1;

    private final byte[] bytes;
    /** Where the token of each rank starts in {@link #bytes}; one more, where the last one ends. */
    private final int[] starts;
    /** Rank lookups by bytes: a slot per entry, found by the bytes' hash and probed onwards. */
    private final int[] table;
    /** The ranks of the two-byte tokens by their bytes (most lookups while merging are of two bytes). */
    private final int[] pairs = new int[1 << 16];
    private final int longestToken;

    private O200kVocabulary(byte[] bytes, int[] starts) {
        this.bytes = bytes;
        this.starts = starts;
        int tokens = starts.length - 1;
        if (tokens >= RANK_MASK) {
            throw new IllegalStateException("too many tokens for the table: " + tokens);
        }
        table = new int[Integer.highestOneBit(tokens) * 4]; // at most half full: probes stay short
        Arrays.fill(pairs, NONE);
        int longest = 0;
        for (int rank = 0; rank < tokens; rank++) {
            int from = starts[rank];
            int to = starts[rank + 1];
            longest = Math.max(longest, to - from);
            if (to - from == 2) {
                pairs[(bytes[from] & 0xff) << 8 | bytes[from + 1] & 0xff] = rank;
            }
            int h = hash(bytes, from, to);
            int mask = table.length - 1;
            int slot = h & mask;
            while (table[slot] != 0) {
                if (rankAt(table[slot], h, bytes, from, to) != NONE) {
                    throw new IllegalStateException("token " + rank + " appears twice in the vocabulary");
                }
                slot = slot + 1 & mask;
            }
            table[slot] = h & ~RANK_MASK | rank + 1;
        }
        longestToken = longest;
    }

    /** The vocabulary, read once when first asked for. */
    static O200kVocabulary get() {
        return Loaded.VOCABULARY;
    }

    private static final class Loaded {
        static final O200kVocabulary VOCABULARY = load();
    }

    private static O200kVocabulary load() {
        try (InputStream in = Encodings.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the lines of the vocabulary file: a first pass sizes the arrays, a second decodes into them. */
    private static O200kVocabulary parse(byte[] file) {
        int tokens = 0;
        int total = 0;
        int at = 0;
        while (at < file.length) {
            int space = indexOf(file, ' ', at);
            int end = indexOf(file, '\n', space);
            total += decodedLength(file, at, space);
            tokens++;
            at = end + 1;
        }
        byte[] bytes = new byte[total];
        int[] starts = new int[tokens + 1];
        int to = 0;
        at = 0;
        for (int rank = 0; rank < tokens; rank++) {
            int space = indexOf(file, ' ', at);
            int end = indexOf(file, '\n', space);
            starts[rank] = to;
            to = decode(file, at, space, bytes, to);
            int stated = 0;
            for (int i = space + 1; i < end; i++) {
                int digit = file[i] - '0';
                if (digit < 0 || digit > 9) {
                    throw new IllegalStateException("the rank on line " + (rank + 1) + " of the vocabulary is not a number");
                }
                stated = stated * 10 + digit;
            }
            if (stated != rank) {
                throw new IllegalStateException("line " + (rank + 1) + " of the vocabulary has rank " + stated + ": the lines are not in rank order");
            }
            at = end + 1;
        }
        starts[tokens] = to;
        return new O200kVocabulary(bytes, starts);
    }

    private static int indexOf(byte[] file, char c, int from) {
        for (int i = from; i < file.length; i++) {
            if (file[i] == c) {
                return i;
            }
        }
        if (c == '\n') {
            return file.length; // the last line need not end with a line break
        }
        throw new IllegalStateException("a line of the vocabulary has no rank");
    }

    private static final byte[] BASE64 = new byte[128];

    static {
        Arrays.fill(BASE64, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            BASE64[alphabet.charAt(i)] = (byte) i;
        }
    }

    private static int decodedLength(byte[] file, int from, int to) {
        int padding = 0;
        while (to - padding > from && file[to - padding - 1] == '=') {
            padding++;
        }
        if ((to - from) % 4 != 0) {
            throw new IllegalStateException("a token of the vocabulary is not padded base64");
        }
        return (to - from) / 4 * 3 - padding;
    }

    /** Decodes the base64 of {@code file[from, to)} into {@code out} at {@code at}; returns where it ends there. */
    private static int decode(byte[] file, int from, int to, byte[] out, int at) {
        int end = at + decodedLength(file, from, to);
        for (int i = from; i < to; i += 4) {
            int quad = 0;
            for (int k = 0; k < 4; k++) {
                int c = file[i + k];
                int v = c == '=' ? 0 : c >= 0 && c < 128 ? BASE64[c] : -1;
                if (v < 0) {
                    throw new IllegalStateException("a token of the vocabulary is not base64");
                }
                quad = quad << 6 | v;
            }
            for (int k = 0; k < 3 && at < end; k++) {
                out[at++] = (byte) (quad >>> 16 - 8 * k);
            }
        }
        return end;
    }

    /** How many tokens the vocabulary has (their ranks are 0 up to one less). */
    int tokens() {
        return starts.length - 1;
    }

    /** The bytes of the token of {@code rank}. */
    byte[] token(int rank) {
        return Arrays.copyOfRange(bytes, starts[rank], starts[rank + 1]);
    }

    /** The rank of the token whose bytes are {@code b[from, to)}; {@link #NONE} when they are no token. */
    int rank(byte[] b, int from, int to) {
        int length = to - from;
        if (length == 2) {
            return pairs[(b[from] & 0xff) << 8 | b[from + 1] & 0xff];
        }
        if (length > longestToken || length <= 0) {
            return NONE;
        }
        int h = hash(b, from, to);
        int mask = table.length - 1;
        for (int slot = h & mask; table[slot] != 0; slot = slot + 1 & mask) {
            int rank = rankAt(table[slot], h, b, from, to);
            if (rank != NONE) {
                return rank;
            }
        }
        return NONE;
    }

    /** The rank in a table entry if it is that of {@code b[from, to)} (whose hash is {@code h}); else {@link #NONE}. */
    private int rankAt(int entry, int h, byte[] b, int from, int to) {
        if ((entry ^ h) >>> RANK_BITS != 0) {
            return NONE; // another hash: no need to look at the token
        }
        int rank = (entry & RANK_MASK) - 1;
        int start = starts[rank];
        return starts[rank + 1] - start == to - from && Arrays.equals(bytes, start, starts[rank + 1], b, from, to) ? rank : NONE;
    }

    private static int hash(byte[] b, int from, int to) {
        int h = 0x811c9dc5;
        for (int i = from; i < to; i++) {
            h = (h ^ b[i] & 0xff) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ h >>> 16;
    }

    /** The byte-pair tokens of the piece {@code b[0, length)} (a piece of text in UTF-8, as cut by the pre-tokenizer). */
    int count(byte[] b, int length) {
        if (length <= 1 || rank(b, 0, length) != NONE) {
            return Math.min(length, 1);
        }
        return length < LONG_PIECE_BYTES ? countShort(b, length) : countLong(b, length);
    }

    /** Merges by looking through all pairs each time: {@code start} holds where each part starts, {@code ranks} its pair's rank. */
    private int countShort(byte[] b, int length) {
        int[] start = new int[length + 1];
        int[] ranks = new int[length];
        for (int i = 0; i < length; i++) {
            start[i] = i;
            ranks[i] = i + 1 < length ? rank(b, i, i + 2) : NONE;
        }
        start[length] = length;
        int parts = length;
        while (true) {
            int best = NONE;
            int at = -1;
            for (int i = 0; i < parts - 1; i++) {
                if (ranks[i] < best) { // strictly lower: of equal ranks the leftmost stays
                    best = ranks[i];
                    at = i;
                }
            }
            if (at < 0) {
                return parts;
            }
            // part at+1 joins part at
            System.arraycopy(start, at + 2, start, at + 1, parts - at - 1);
            System.arraycopy(ranks, at + 2, ranks, at + 1, parts - at - 2);
            parts--;
            ranks[at] = at + 1 < parts ? rank(b, start[at], start[at + 2]) : NONE;
            if (at > 0) {
                ranks[at - 1] = rank(b, start[at - 1], start[at + 1]);
            }
        }
    }

    /**
     * Merges in order from a heap of the pairs (four children to a node: half as deep as a binary
     * one, and the children are side by side in memory), each entry its rank and where its left part
     * starts (so the lowest rank, then the leftmost, comes first). Parts are linked by where they
     * start; a pair that changed since it was put on the heap is skipped when it comes off: a
     * pair's bytes only grow, so its entry is current exactly when its rank is still the one noted.
     */
    private int countLong(byte[] b, int length) {
        int[] next = new int[length]; // where the part after the one starting here starts (length: none)
        int[] previous = new int[length];
        int[] ranks = new int[length]; // the rank of the pair of the part starting here and the next; -1: no part starts here
        long[] heap = new long[3 * length]; // the first pairs, then at most two more per merge
        int size = 0;
        for (int i = 0; i < length; i++) {
            next[i] = i + 1;
            previous[i] = i - 1;
            ranks[i] = i + 1 < length ? rank(b, i, i + 2) : NONE;
            if (ranks[i] != NONE) {
                heap[size++] = (long) ranks[i] << 32 | i;
            }
        }
        for (int i = (size - 2) / 4; i >= 0; i--) {
            siftDown(heap, size, i);
        }
        int parts = length;
        while (size > 0) {
            long top = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size, 0);
            int at = (int) top;
            if (ranks[at] != (int) (top >>> 32)) {
                continue;
            }
            int joined = next[at];
            int after = next[joined];
            next[at] = after;
            if (after < length) {
                previous[after] = at;
            }
            ranks[joined] = -1;
            parts--;
            ranks[at] = after < length ? rank(b, at, next[after]) : NONE;
            if (ranks[at] != NONE) {
                size = push(heap, size, (long) ranks[at] << 32 | at);
            }
            int before = previous[at];
            if (before >= 0) {
                ranks[before] = rank(b, before, after);
                if (ranks[before] != NONE) {
                    size = push(heap, size, (long) ranks[before] << 32 | before);
                }
            }
        }
        return parts;
    }

    private static int push(long[] heap, int size, long entry) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (heap[parent] <= entry) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = entry;
        return size + 1;
    }

    private static void siftDown(long[] heap, int size, int i) {
        long entry = heap[i];
        while (true) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int child = first;
            long least = heap[first];
            int last = Math.min(first + 4, size);
            for (int c = first + 1; c < last; c++) {
                if (heap[c] < least) {
                    least = heap[c];
                    child = c;
                }
            }
            if (least >= entry) {
                break;
            }
            heap[i] = least;
            i = child;
        }
        heap[i] = entry;
    }
}
