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
    private TokenHashes() {
    }

    public static String sha256(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
