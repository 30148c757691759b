package gatehouse.authserver;

import java.time.Instant;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

/**
 * Spring's JDBC authorization store, watched: whenever Spring invalidates an access token (revocation,
 * a refresh token revoked with it, an authorization code used twice) or drops an authorization that
 * still holds a live one, the token's id goes on the {@link Revocations} list the data plane checks.
 * Without this a revoked JWT would stay usable until it expires.
 */
public class TrackingAuthorizationService implements OAuth2AuthorizationService {
    private final JdbcOAuth2AuthorizationService delegate;
    private final Revocations revocations;
    private final JdbcClient jdbc;

    public TrackingAuthorizationService(JdbcTemplate template, JdbcClient jdbc, RegisteredClientRepository clients, Revocations revocations) {
        this.delegate = new JdbcOAuth2AuthorizationService(template, clients);
        this.revocations = revocations;
        this.jdbc = jdbc;
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        OAuth2Authorization.Token<OAuth2AccessToken> access = authorization.getAccessToken();
        if (access != null && access.isInvalidated()) {
            revoke(access);
        }
        delegate.save(authorization);
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        OAuth2Authorization.Token<OAuth2AccessToken> access = authorization.getAccessToken();
        if (access != null && access.isActive()) {
            revoke(access);
        }
        delegate.remove(authorization);
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
        return delegate.findByToken(token, tokenType);
    }

    /** Drops every grant of a user (their access tokens die with their connections). */
    public void removeAllOfPrincipal(String principalName) {
        jdbc.sql("DELETE FROM oauth2_authorization WHERE principal_name = ?").param(principalName).update();
        jdbc.sql("DELETE FROM oauth2_authorization_consent WHERE principal_name = ?").param(principalName).update();
    }
}
