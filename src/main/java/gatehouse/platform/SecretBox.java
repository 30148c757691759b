package gatehouse.platform;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Encrypts secrets at rest (upstream headers and environment, later upstream tokens) with
 * AES-256-GCM. The master key comes from {@code GATEHOUSE_MASTER_KEY} (base64, 32 bytes) or from
 * {@code master.key} in the data directory, created on first start with owner-only permissions.
 * It is never written to the database. A secret is sealed for its place ({@link #context}: table,
 * column and row id as associated data), so a sealed value copied into another row or column does
 * not open there: {@code v2:<base64(iv|ct|tag)>}. Values sealed before that ({@code v1:}, no
 * associated data) still open and are re-sealed at start ({@link SealedRowsUpgrade}).
 */
@Component
public class SecretBox {
    private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
    private static final String PREFIX = "v1:";
    private static final String BOUND = "v2:";
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public SecretBox(GatehouseProperties props) throws IOException {
        this.key = new SecretKeySpec(loadKey(Path.of(props.dataDir()), System.getenv("GATEHOUSE_MASTER_KEY")), "AES");
    }

    static byte[] loadKey(Path dataDir, String fromEnv) throws IOException {
        if (fromEnv != null && !fromEnv.isBlank()) {
            byte[] k = Base64.getDecoder().decode(fromEnv.trim());
            if (k.length != 32) {
                throw new IllegalStateException("GATEHOUSE_MASTER_KEY must be 32 bytes, base64-encoded (got " + k.length + " bytes)");
            }
            return k;
        }
        Path file = dataDir.resolve("master.key");
        if (Files.exists(file)) {
            return Base64.getDecoder().decode(Files.readString(file).trim());
        }
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        DataDirectory.create(dataDir);
        if (!DataDirectory.createOwnerOnly(file, Base64.getEncoder().encodeToString(k))) {
            return Base64.getDecoder().decode(Files.readString(file).trim()); // another process created it first
        }
        log.info("Created a new master key at {}; back it up, encrypted secrets cannot be read without it", file);
        return k;
    }

    /**
     * A 32-byte key for one purpose, derived from the master key (HMAC-SHA256 of the purpose
     * label), so every replica that shares the master key derives the same key and no second
     * secret has to be distributed. Different purposes get independent keys.
     */
    public byte[] derivedKey(String purpose) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(("gatehouse/derived-key/v1/" + purpose).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("key derivation failed", e);
        }
    }

    /** The associated data that binds a sealed value to one column of one row. */
    public static String context(String table, String column, String rowId) {
        return table + "." + column + ":" + rowId;
    }

    /** Seals without binding; kept for values that have no row (prefer {@link #encrypt(String, String)}). */
    public String encrypt(String plain) {
        return seal(plain, null);
    }

    /** Seals {@code plain} for one place: it opens only with the same {@code context}. */
    public String encrypt(String plain, String context) {
        if (context == null) {
            throw new IllegalArgumentException("context required");
        }
        return seal(plain, context);
    }

    private String seal(String plain, String context) {
        if (plain == null) {
            return null;
        }
        try {
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            if (context != null) {
                cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            }
            byte[] ct = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return (context == null ? PREFIX : BOUND) + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    /** Opens an unbound ({@code v1:}) value. */
    public String decrypt(String sealed) {
        return decrypt(sealed, null);
    }

    /**
     * Opens a value sealed for {@code context}; a value sealed for another place fails. An older
     * unbound value ({@code v1:}) opens regardless, until {@link SealedRowsUpgrade} re-seals it.
     */
    public String decrypt(String sealed, String context) {
        if (sealed == null) {
            return null;
        }
        boolean bound = sealed.startsWith(BOUND);
        if (!bound && !sealed.startsWith(PREFIX)) {
            throw new IllegalStateException("not an encrypted value");
        }
        if (bound && context == null) {
            throw new IllegalStateException("a bound secret needs its context to open");
        }
        try {
            byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
            if (bound) {
                cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            }
            return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a stored secret cannot be decrypted: is this the master key it was written with, and its own row?", e);
        }
    }

    /** Whether a value was sealed before values were bound to their rows. */
    public static boolean unbound(String sealed) {
        return sealed != null && sealed.startsWith(PREFIX);
    }
}
