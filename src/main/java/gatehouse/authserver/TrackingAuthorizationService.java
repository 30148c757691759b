package gatehouse.authserver;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Spring's JDBC authorization store, hardened in three ways.
 * <ul>
 * <li>Token values at rest are keyed hashes ({@code h1:} + HMAC-SHA256 under a key derived from the
 * master key): authorization codes, access and refresh tokens are never stored as themselves, so a
 * copy of the table grants nothing. Lookups hash what they are given; the authorization handed back
 * carries the presented value again, so Spring's revocation and introspection find the token in it.
 * Rows written before hashing are rewritten at start.</li>
 * <li>A refresh token replaced by rotation is remembered (hashed) until it would have expired; if it
 * is ever presented again it was copied, and the whole grant is revoked.</li>
 * <li>Whenever Spring invalidates an access token (revocation, a refresh token revoked with it, an
 * authorization code used twice) or drops an authorization that still holds a live one, the token's
 * id goes on the {@link Revocations} list the data plane checks; without this a revoked JWT would
 * stay usable until it expires.</li>
 * </ul>
 */
public class TrackingAuthorizationService implements OAuth2AuthorizationService {
    private static final Logger log = LoggerFactory.getLogger(TrackingAuthorizationService.class);
    static final String HASHED = "h1:";
    private static final OAuth2TokenType STATE = new OAuth2TokenType(org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames.STATE);
    private final JdbcOAuth2AuthorizationService delegate;
    private final Revocations revocations;
    private final JdbcClient jdbc;
    private final SecretKeySpec tokenKey;

    public TrackingAuthorizationService(JdbcTemplate template, JdbcClient jdbc, RegisteredClientRepository clients, Revocations revocations,
                                        byte[] tokenKey) {
        this.delegate = new JdbcOAuth2AuthorizationService(template, clients);
        this.revocations = revocations;
        this.jdbc = jdbc;
        this.tokenKey = new SecretKeySpec(tokenKey, "HmacSHA256");
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        OAuth2Authorization.Token<OAuth2AccessToken> access = authorization.getAccessToken();
        if (access != null && access.isInvalidated()) {
            revoke(access);
        }
        OAuth2Authorization hashed = hashed(authorization);
        OAuth2Authorization stored = delegate.findById(authorization.getId());
        if (stored != null && stored.getRefreshToken() != null) {
            String before = stored.getRefreshToken().getToken().getTokenValue();
            String after = hashed.getRefreshToken() == null ? null : hashed.getRefreshToken().getToken().getTokenValue();
            if (!before.equals(after)) {
                retire(before, authorization.getId(), stored.getRefreshToken().getToken().getExpiresAt());
            }
        }
        delegate.save(hashed);
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        OAuth2Authorization.Token<OAuth2AccessToken> access = authorization.getAccessToken();
        if (access != null && access.isActive()) {
            revoke(access);
        }
        delegate.remove(authorization);
        jdbc.sql("DELETE FROM oauth2_retired_refresh_token WHERE authorization_id = ?").param(authorization.getId()).update();
    }

    /** The keyed hash a token value is stored as. */
    String hash(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(tokenKey);
            return HASHED + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("token hashing failed", e);
        }
    }

    /** The authorization with every code and token value replaced by its hash (values already hashed stay). */
    private OAuth2Authorization hashed(OAuth2Authorization a) {
        OAuth2Authorization.Builder b = OAuth2Authorization.from(a);
        boolean changed = false;
        for (Class<? extends OAuth2Token> type : List.of(OAuth2AuthorizationCode.class, OAuth2AccessToken.class, OAuth2RefreshToken.class)) {
            OAuth2Authorization.Token<? extends OAuth2Token> t = a.getToken(type);
            if (t != null && !t.getToken().getTokenValue().startsWith(HASHED)) {
                b.token(withValue(t.getToken(), hash(t.getToken().getTokenValue())), md -> { });
                changed = true;
            }
        }
        return changed ? b.build() : a;
    }

    /** The authorization as the caller may use it: the token it presented carries its own value again. */
    private OAuth2Authorization presented(OAuth2Authorization a, String hashed, String raw) {
        OAuth2Authorization.Builder b = OAuth2Authorization.from(a);
        boolean changed = false;
        for (Class<? extends OAuth2Token> type : List.of(OAuth2AuthorizationCode.class, OAuth2AccessToken.class, OAuth2RefreshToken.class)) {
            OAuth2Authorization.Token<? extends OAuth2Token> t = a.getToken(type);
            if (t != null && t.getToken().getTokenValue().equals(hashed)) {
                b.token(withValue(t.getToken(), raw), md -> { });
                changed = true;
            }
        }
        return changed ? b.build() : a;
    }

    private static OAuth2Token withValue(OAuth2Token t, String value) {
        return switch (t) {
            case OAuth2AccessToken at -> new OAuth2AccessToken(at.getTokenType(), value, at.getIssuedAt(), at.getExpiresAt(), at.getScopes());
            case OAuth2RefreshToken rt -> new OAuth2RefreshToken(value, rt.getIssuedAt(), rt.getExpiresAt());
            case OAuth2AuthorizationCode c -> new OAuth2AuthorizationCode(value, c.getIssuedAt(), c.getExpiresAt());
            default -> throw new IllegalStateException("unexpected token type " + t.getClass().getSimpleName());
        };
    }

    private void retire(String refreshHash, String authorizationId, Instant expiresAt) {
        jdbc.sql("DELETE FROM oauth2_retired_refresh_token WHERE expires_at < ?").param(Timestamp.from(Instant.now())).update();
        if (jdbc.sql("SELECT COUNT(*) FROM oauth2_retired_refresh_token WHERE token_hash = ?").param(refreshHash).query(Long.class).single() == 0) {
            jdbc.sql("INSERT INTO oauth2_retired_refresh_token (token_hash, authorization_id, expires_at) VALUES (?, ?, ?)")
                    .params(refreshHash, authorizationId, expiresAt == null ? null : Timestamp.from(expiresAt)).update();
        }
    }

    /** Rewrites rows stored before token values were hashed. */
    @EventListener(ApplicationReadyEvent.class)
    public void hashLegacyRows() {
        List<String> ids = jdbc.sql("SELECT id FROM oauth2_authorization WHERE (authorization_code_value IS NOT NULL AND authorization_code_value NOT LIKE 'h1:%') "
                + "OR (access_token_value IS NOT NULL AND access_token_value NOT LIKE 'h1:%') "
                + "OR (refresh_token_value IS NOT NULL AND refresh_token_value NOT LIKE 'h1:%')").query(String.class).list();
        for (String id : ids) {
            OAuth2Authorization a = delegate.findById(id);
            if (a != null) {
                delegate.save(hashed(a));
            }
        }
        if (!ids.isEmpty()) {
            log.info("stored {} OAuth grants' token values as hashes", ids.size());
        }
    }

    private void revoke(OAuth2Authorization.Token<OAuth2AccessToken> access) {
        Object jti = access.getClaims() == null ? null : access.getClaims().get("jti");
        Instant exp = access.getToken().getExpiresAt();
        if (jti != null) {
            revocations.revoke(jti.toString(), exp);
        }
    }

    @Override
    public OAuth2Authorization findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
        if (token == null || token.isEmpty() || token.startsWith(HASHED)) {
            return null; // a stored hash is not a credential
        }
        if (STATE.equals(tokenType)) {
            return delegate.findByToken(token, tokenType);
        }
        String h = hash(token);
        OAuth2Authorization found = delegate.findByToken(h, tokenType);
        if (found != null) {
            return presented(found, h, token);
        }
        if (tokenType == null) {
            OAuth2Authorization byState = delegate.findByToken(token, STATE);
            if (byState != null) {
                return byState;
            }
        }
        if (tokenType == null || OAuth2TokenType.REFRESH_TOKEN.equals(tokenType)) {
            replayed(h);
        }
        return null;
    }

    /** A rotated-away refresh token came back: it was copied, so the grant it belonged to ends. */
    private void replayed(String refreshHash) {
        String authorizationId = jdbc.sql("SELECT authorization_id FROM oauth2_retired_refresh_token WHERE token_hash = ?")
                .param(refreshHash).query(String.class).optional().orElse(null);
        if (authorizationId == null) {
            return;
        }
        OAuth2Authorization grant = delegate.findById(authorizationId);
        log.warn("a refresh token replaced by rotation was presented again; grant {} revoked", authorizationId);
        if (grant != null) {
            remove(grant);
        } else {
            jdbc.sql("DELETE FROM oauth2_retired_refresh_token WHERE authorization_id = ?").param(authorizationId).update();
        }
    }

    /** A deleted user's grants go with them (their connections are already gone). */
    @EventListener
    void userDeleted(gatehouse.identity.Directory.UserDeleted event) {
        removeAllOfPrincipal(event.userId());
    }

    /** So do a disabled user's: re-enabling them does not bring old tokens back. */
    @EventListener
    void userDisabled(gatehouse.identity.Directory.UserDisabled event) {
        removeAllOfPrincipal(event.userId());
    }

    /** Drops every grant of a user (their access tokens die with their connections). */
    public void removeAllOfPrincipal(String principalName) {
        jdbc.sql("DELETE FROM oauth2_retired_refresh_token WHERE authorization_id IN (SELECT id FROM oauth2_authorization WHERE principal_name = ?)")
                .param(principalName).update();
        jdbc.sql("DELETE FROM oauth2_authorization WHERE principal_name = ?").param(principalName).update();
        jdbc.sql("DELETE FROM oauth2_authorization_consent WHERE principal_name = ?").param(principalName).update();
    }
}
