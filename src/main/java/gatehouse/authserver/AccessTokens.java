package gatehouse.authserver;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * Checks the access tokens Gatehouse's authorization server issued, for the data plane: signature,
 * issuer, expiry (no clock skew: issuer and checker are the same cluster) and the revocation list,
 * all in memory. Which connection and which resource the token is bound to is in its claims.
 */
@Component
public class AccessTokens {
    public static final String CONNECTION_CLAIM = "cid";
    public static final String GATEWAY_CLAIM = "gid";

    private final NimbusJwtDecoder decoder;
    private final Revocations revocations;
    private final Resources resources;

    AccessTokens(SigningKeys keys, Revocations revocations, Resources resources) {
        this.revocations = revocations;
        this.resources = resources;
        this.decoder = NimbusJwtDecoder.withPublicKey(keys.publicKey()).build();
        this.decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(Duration.ZERO),
                new JwtIssuerValidator(resources.issuer())));
    }

    /** A verified access token: the connection it belongs to and the resources it is bound to. */
    public record Verified(String connectionId, String userId, List<String> audience, String jti, Instant expiresAt) {
    }

    /** Why a token was refused; the message is safe to show the caller. */
    public static final class InvalidTokenException extends RuntimeException {
        public InvalidTokenException(String message) {
            super(message);
        }
    }

    /** True when the value has the shape of a JWT (so it is ours to check, not an API token). */
    public static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        return first > 0 && token.indexOf('.', first + 1) > first && token.chars().filter(c -> c == '.').count() == 2;
    }

    public Verified verify(String token) {
        Jwt jwt;
        try {
            jwt = decoder.decode(token);
        } catch (BadJwtException e) {
            String m = String.valueOf(e.getMessage());
            throw new InvalidTokenException(m.contains("expired") ? "the access token has expired" : "the access token is invalid");
        } catch (JwtException e) {
            throw new InvalidTokenException("the access token is invalid");
        }
        String cid = jwt.getClaimAsString(CONNECTION_CLAIM);
        if (cid == null) {
            throw new InvalidTokenException("the token is not an access token for this gateway");
        }
        if (revocations.isRevoked(jwt.getId())) {
            throw new InvalidTokenException("the access token has been revoked");
        }
        return new Verified(cid, jwt.getSubject(), jwt.getAudience(), jwt.getId(), jwt.getExpiresAt());
    }

    /**
     * Whether a token verified earlier is still good at {@code now}: not expired, not revoked since.
     * For long-lived streams, which check this every second instead of verifying the signature again.
     */
    public boolean stillValid(Verified token, java.time.Instant now) {
        return token.expiresAt() != null && now.isBefore(token.expiresAt()) && !revocations.isRevoked(token.jti());
    }

    /** True when the token's audience (RFC 8707 resource) covers this gateway. */
    public boolean boundTo(Verified token, String gatewayId) {
        return resources.audienceAllows(token.audience(), gatewayId);
    }
}
