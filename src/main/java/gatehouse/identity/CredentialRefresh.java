package gatehouse.identity;

import java.time.Instant;
import java.util.Optional;

import org.springframework.stereotype.Service;

import gatehouse.catalog.Connection;
import gatehouse.platform.ProblemException;

/**
 * Refreshing OAuth credentials when a token is needed: just before one about to expire is
 * presented, and when a person or an administrator asks for it. {@link UpstreamOAuth} talks to the
 * provider (and refreshes ahead on its own schedule); this decides when and what to tell.
 */
@Service
public class CredentialRefresh {
    private final CredentialStore store;
    private final UpstreamOAuth oauth;

    CredentialRefresh(CredentialStore store, UpstreamOAuth oauth) {
        this.store = store;
        this.oauth = oauth;
    }

    /** The token to send now: an OAuth access token about to expire is refreshed first; throws when that fails. */
    String tokenToPresent(Credential cr) {
        if (IdentityVault.OAUTH.equals(cr.kind()) && cr.expiresAt() != null
                && cr.expiresAt().isBefore(Instant.now().plus(UpstreamOAuth.REFRESH_AHEAD))) {
            Credential refreshed = oauth.refresh(cr);
            if (!"ok".equals(refreshed.state())) {
                throw new IllegalStateException("refresh failed");
            }
            return store.token(refreshed);
        }
        return store.token(cr);
    }

    /** Whether {@link #refresh} can work: an OAuth credential, not revoked, holding a refresh token. Never the secret itself. */
    public boolean refreshable(Connection c, String serverId) {
        Optional<Credential> cr = store.find(IdentityVault.Owner.of(c), serverId);
        if (cr.isEmpty() || !IdentityVault.OAUTH.equals(cr.get().kind()) || "revoked".equals(cr.get().state())) {
            return false;
        }
        try {
            return UpstreamTokens.parse(store.secret(cr.get().id())).refreshToken() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Refreshes a connection's OAuth credential now; a static token cannot be refreshed (400), a missing one is 404. */
    public Credential refresh(Connection c, String serverId) {
        Credential cr = store.find(IdentityVault.Owner.of(c), serverId).orElseThrow(() -> ProblemException.notFound("identity", serverId));
        if (!IdentityVault.OAUTH.equals(cr.kind())) {
            throw ProblemException.invalid("serverId", "this credential is a static token; it has nothing to refresh");
        }
        if ("revoked".equals(cr.state())) {
            throw ProblemException.invalid("serverId", "this credential was revoked; the person must reconnect");
        }
        return oauth.refresh(cr);
    }
}
