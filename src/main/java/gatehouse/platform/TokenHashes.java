package gatehouse.platform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Bearer tokens are stored only as SHA-256 hashes. The tokens are 260-bit random strings, so a
 * fast hash is enough (no dictionary to defend against) and lets every request be checked by a
 * map look-up instead of a slow KDF.
 */
public final class TokenHashes {
    /** Cloned per use: cheaper than looking the algorithm up among the providers on every request. */
    private static final MessageDigest PROTOTYPE = prototype();

    private TokenHashes() {
    }

    private static MessageDigest prototype() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String token) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            digest = prototype();
        }
        return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
