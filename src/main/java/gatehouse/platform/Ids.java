package gatehouse.platform;

import java.security.SecureRandom;

/** Random identifiers and secrets: a readable prefix plus URL-safe random characters. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Ids() {
    }

    /** An identifier such as {@code srv_k3j9…}; 16 random characters (~82 bits). */
    public static String id(String prefix) {
        return prefix + "_" + random(16);
    }

    /** A bearer secret with {@code bits}≥256 of entropy, e.g. {@code gh_…}. */
    public static String secret(String prefix) {
        return prefix + "_" + random(52);
    }

    public static String random(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
