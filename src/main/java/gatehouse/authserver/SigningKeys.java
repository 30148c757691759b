package gatehouse.authserver;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.nimbusds.jose.jwk.RSAKey;

import gatehouse.platform.Ids;
import gatehouse.platform.SecretBox;

/**
 * The RSA key pair that signs access tokens. Created by the first replica to start, stored with the
 * private key sealed by the master key, and shared by every replica through the database, so any
 * replica can verify a token another one issued.
 */
@Component
public class SigningKeys {
    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
    private final RSAKey key;

    SigningKeys(JdbcClient jdbc, SecretBox secrets) throws Exception {
        Optional<RSAKey> stored = load(jdbc, secrets);
        if (stored.isEmpty()) {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair pair = gen.generateKeyPair();
            String kid = Ids.id("key");
            try {
                jdbc.sql("INSERT INTO signing_keys (kid, private_sealed, public_pem, created_at) VALUES (?, ?, ?, ?)")
                        .params(kid, secrets.encrypt(Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()),
                                        SecretBox.context("signing_keys", "private_sealed", kid)),
                                Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()), Timestamp.from(Instant.now()))
                        .update();
                log.info("created the token-signing key {}", kid);
            } catch (DuplicateKeyException e) {
                // another replica won the race; use its key
            }
            stored = load(jdbc, secrets);
        }
        this.key = stored.orElseThrow();
    }

    private static Optional<RSAKey> load(JdbcClient jdbc, SecretBox secrets) {
        return jdbc.sql("SELECT kid, private_sealed, public_pem FROM signing_keys ORDER BY created_at DESC, kid")
                .query((rs, n) -> {
                    try {
                        KeyFactory kf = KeyFactory.getInstance("RSA");
                        RSAPublicKey pub = (RSAPublicKey) kf.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(rs.getString("public_pem"))));
                        RSAPrivateKey priv = (RSAPrivateKey) kf.generatePrivate(new PKCS8EncodedKeySpec(
                                Base64.getDecoder().decode(secrets.decrypt(rs.getString("private_sealed"),
                                        SecretBox.context("signing_keys", "private_sealed", rs.getString("kid"))))));
                        return new RSAKey.Builder(pub).privateKey(priv).keyID(rs.getString("kid")).build();
                    } catch (java.security.GeneralSecurityException e) {
                        throw new IllegalStateException("the stored token-signing key cannot be read", e);
                    }
                }).stream().findFirst();
    }

    public RSAKey jwk() {
        return key;
    }

    public RSAPublicKey publicKey() {
        try {
            return key.toRSAPublicKey();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
