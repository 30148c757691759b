package gatehouse.policy.rules.pii;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * The gazetteer's word lists as one table keyed by Latin-1 bytes: one probe says every list a word
 * is in, asked with a slice of the scanner's byte copy of the text. The name look-ups run for every
 * pair of capitalised words; a substring, a lower-case copy and a hash-set probe per list cost more
 * there than the rest of the scan. Answers are exact (the bytes are compared), so this replaces the
 * sets, it does not merely filter for them. Words are ASCII in practice; a key with a character
 * outside Latin-1 is left out (it can never equal a slice of ASCII word characters).
 */
final class Lexicon {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** OR-ed into every byte before hashing a case-folded key: A-Z become a-z (other bytes fold alike on both sides). */
    private static final long FOLD = 0x2020202020202020L;

    private final long[] hashes;
    private final byte[][] keys;
    private final int[] flags;
    private final int[][] lengths;
    private final int mask;
    private final boolean folded;
    /**
     * One bit per (first byte, last byte, length) of the keys, each byte's low six bits (after the fold):
     * 8 KB, so most words that are in no list are refused before any hash is computed.
     */
    private final long[] shapes = new long[64 * 64 * 16 / 64];
    /**
     * One bit per top 16 bits of a key's hash (8 KB): a word whose shape passes is refused here before the
     * probe reads the slot arrays, which are large enough that a random slot is a cache miss.
     */
    private final long[] hashBits = new long[(1 << 16) / 64];

    private Lexicon(Map<String, Integer> words, Map<String, int[]> lengthsByWord, boolean folded) {
        this.folded = folded;
        int size = Integer.highestOneBit(Math.max(16, words.size() * 3)) << 1;
        hashes = new long[size];
        keys = new byte[size][];
        flags = new int[size];
        lengths = new int[size][];
        mask = size - 1;
        words.forEach((w, f) -> {
            if (w.isEmpty() || !w.chars().allMatch(c -> c < 256)) {
                return;
            }
            byte[] k = w.getBytes(StandardCharsets.ISO_8859_1);
            long h = hash(k, 0, k.length, folded);
            int slot = (int) (h ^ (h >>> 32)) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            hashes[slot] = h;
            keys[slot] = k;
            int shape = shape(k, 0, k.length);
            shapes[shape >>> 6] |= 1L << shape;
            int top = (int) (h >>> 48);
            hashBits[top >>> 6] |= 1L << top;
            flags[slot] = f;
            lengths[slot] = lengthsByWord.get(w);
        });
    }

    /** A case-sensitive table: each word with the bits of the lists it is in; {@code lengths} may attach a value per word. */
    static Lexicon exact(Map<String, Integer> words, Map<String, int[]> lengths) {
        return new Lexicon(words, lengths, false);
    }

    /** A table that ignores ASCII case: keys are given in lower case; asking "Smith" finds "smith". */
    static Lexicon folded(Map<String, Integer> lowerCaseWords) {
        return new Lexicon(lowerCaseWords, Map.of(), true);
    }

    /** Adds {@code bit} to every word of {@code words} in {@code into}. */
    static void mark(Map<String, Integer> into, Collection<String> words, int bit) {
        for (String w : words) {
            into.merge(w, bit, (a, b) -> a | b);
        }
    }

    /** The lists {@code cs[s, e)} is in (0: none, and always for an empty slice). */
    int flags(byte[] cs, int s, int e) {
        int slot = find(cs, s, e);
        return slot < 0 ? 0 : flags[slot];
    }

    /** The value attached to {@code cs[s, e)}, or null. */
    int[] lengths(byte[] cs, int s, int e) {
        int slot = find(cs, s, e);
        return slot < 0 ? null : lengths[slot];
    }

    private int find(byte[] cs, int s, int e) {
        if (e <= s) {
            return -1;
        }
        int shape = shape(cs, s, e);
        if ((shapes[shape >>> 6] & (1L << shape)) == 0) {
            return -1;
        }
        long h = hash(cs, s, e, folded);
        int top = (int) (h >>> 48);
        if ((hashBits[top >>> 6] & (1L << top)) == 0) {
            return -1;
        }
        int slot = (int) (h ^ (h >>> 32)) & mask;
        byte[] k;
        while ((k = keys[slot]) != null) {
            if (hashes[slot] == h && k.length == e - s && (folded ? equalsFolded(k, cs, s) : Arrays.equals(k, 0, k.length, cs, s, e))) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** Index of the (first, last, length) bit of {@code b[s, e)}; a byte and its fold (when folded) give the same index. */
    private int shape(byte[] b, int s, int e) {
        int fold = folded ? 0x20 : 0;
        return (((b[s] | fold) & 0x3F) << 10) | (((b[e - 1] | fold) & 0x3F) << 4) | Math.min(e - s, 15);
    }

    /** Whether {@code cs[s, s + k.length)}, with A-Z taken as a-z, is the lower-case key {@code k}. */
    private static boolean equalsFolded(byte[] k, byte[] cs, int s) {
        for (int j = 0; j < k.length; j++) {
            int c = cs[s + j];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != k[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A 64-bit hash of {@code b[s, e)}, eight bytes per step. When {@code folded}, every byte is OR-ed
     * with 0x20 first: a byte and its ASCII lower case then hash alike, so a slice and the lower-case key
     * it equals (when A-Z are taken as a-z) always meet.
     */
    static long hash(byte[] b, int s, int e, boolean folded) {
        long fold = folded ? FOLD : 0;
        long h = (e - s) * 0x9E3779B97F4A7C15L;
        int k = s;
        for (; k + 8 <= e; k += 8) {
            h = mix(h ^ ((long) LONGS.get(b, k) | fold));
        }
        int r = e - k;
        if (r > 0) {
            long m = -1L >>> (64 - 8 * r);
            long x;
            if (k + 8 <= b.length) {
                x = (long) LONGS.get(b, k) & m; // the bytes after the slice are in the array: read eight, keep r
            } else {
                x = 0;
                for (int j = r - 1; j >= 0; j--) {
                    x = (x << 8) | (b[k + j] & 0xFF);
                }
            }
            h = mix(h ^ (x | (fold & m)));
        }
        return h;
    }

    private static long mix(long h) {
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 31);
    }
}
