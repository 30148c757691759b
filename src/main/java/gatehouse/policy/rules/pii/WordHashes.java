package gatehouse.policy.rules.pii;

import java.util.Collection;
import java.util.Locale;

/**
 * A set of words kept as 64-bit hashes of their lower-case form, asked with a slice of a char
 * array: the scanner's prefilter for name and place look-ups. It allocates nothing per question,
 * where a substring and a {@code toLowerCase} per capitalised word cost more than the rest of the
 * scan. A hit is only a hint (the exact look-up follows); a miss is final.
 */
final class WordHashes {
    private final long[] table;
    private final int mask;
    /**
     * One bit per hash value's top {@link #BITS} bits: small enough to stay in the first-level cache,
     * so most misses are decided without touching the (larger) table.
     */
    private final long[] bits = new long[1 << (BITS - 6)];
    private static final int BITS = 15;

    WordHashes(Collection<String> words) {
        int size = Integer.highestOneBit(Math.max(16, words.size() * 4 - 1)) << 1;
        table = new long[size];
        mask = size - 1;
        for (String w : words) {
            add(hash(w.toLowerCase(Locale.ROOT)));
        }
    }

    private void add(long h) {
        int b = (int) (h >>> (64 - BITS));
        bits[b >>> 6] |= 1L << b;
        int slot = (int) (h ^ (h >>> 32)) & mask;
        while (table[slot] != 0 && table[slot] != h) {
            slot = (slot + 1) & mask;
        }
        table[slot] = h;
    }

    /** Whether the lower-case form of {@code cs[s, e)} may be one of the words. */
    boolean mayContain(byte[] cs, int s, int e) {
        return present(hash(cs, s, e));
    }

    private boolean present(long h) {
        int b = (int) (h >>> (64 - BITS));
        if ((bits[b >>> 6] & (1L << b)) == 0) {
            return false;
        }
        int slot = (int) (h ^ (h >>> 32)) & mask;
        long t;
        while ((t = table[slot]) != 0) {
            if (t == h) {
                return true;
            }
            slot = (slot + 1) & mask;
        }
        return false;
    }

    /** Whether the lower-case form of {@code text[s, e)}, all ASCII (see {@link #ascii}), may be one of the words. */
    boolean mayContain(String text, int s, int e) {
        long h = 0xcbf29ce484222325L;
        for (int k = s; k < e; k++) {
            int c = text.charAt(k);
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            h = (h ^ c) * 0x100000001b3L;
        }
        return present(h == 0 ? 1 : h);
    }

    /** Whether {@code text[s, e)} is ASCII: only there is the ASCII lower case the same as {@code toLowerCase}. */
    static boolean ascii(String text, int s, int e) {
        for (int k = s; k < e; k++) {
            if (text.charAt(k) >= 128) {
                return false;
            }
        }
        return true;
    }

    private static long hash(String lower) {
        long h = 0xcbf29ce484222325L;
        for (int k = 0; k < lower.length(); k++) {
            h = (h ^ lower.charAt(k)) * 0x100000001b3L;
        }
        return h == 0 ? 1 : h;
    }

    /** FNV-1a over ASCII-lower-cased Latin-1 bytes (the same value as for the lower-case string); never 0 (the empty slot). */
    private static long hash(byte[] cs, int s, int e) {
        long h = 0xcbf29ce484222325L;
        for (int k = s; k < e; k++) {
            int c = cs[k] & 0xFF;
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            h = (h ^ c) * 0x100000001b3L;
        }
        return h == 0 ? 1 : h;
    }
}
