package gatehouse.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.alerts.AlertService;
import gatehouse.catalog.CatalogService;
import gatehouse.platform.Commits;
import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;
import gatehouse.identity.IdentityVault.Owner;

/**
 * The {@code identities} table: credentials for upstream servers, each secret sealed with the master
 * key (AES-GCM) and bound to its own row. The only class that reads or writes it. Every change moves
 * {@link #generation()} on, so what others remember of credentials (the vault's few seconds of
 * answers) is dropped at once; a stored credential is announced ({@link CredentialAdded}) once its
 * transaction committed.
 */
@Component
class CredentialStore {
    static final String STATIC_TOKEN = IdentityVault.STATIC_TOKEN;
    static final String OAUTH = IdentityVault.OAUTH;

    private final JdbcClient jdbc;
    private final SecretBox secrets;
    private final CatalogService catalog;
    private final AlertService alerts;
    private final ApplicationEventPublisher events;
    private final AtomicLong generation = new AtomicLong();

    CredentialStore(JdbcClient jdbc, SecretBox secrets, CatalogService catalog, AlertService alerts, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.catalog = catalog;
        this.alerts = alerts;
        this.events = events;
    }

    /** Moves on with every change made here (and when told credentials changed elsewhere). */
    long generation() {
        return generation.get();
    }

    /** Something about credentials changed: whatever was remembered of them is stale. */
    void changed() {
        generation.incrementAndGet();
        // and again once the change is committed: an answer read between the two saw the old row
        Commits.afterCommit(generation::incrementAndGet);
    }

    public List<Credential> ofUser(String userId) {
        return jdbc.sql("SELECT * FROM identities WHERE user_id = ? ORDER BY created_at, id").param(userId).query(this::row).list();
    }

    public Optional<Credential> personal(String userId, String serverId) {
        return find(new Owner(userId, null), serverId);
    }

    Optional<Credential> find(Owner owner, String serverId) {
        return owner.userId() != null
                ? jdbc.sql("SELECT * FROM identities WHERE user_id = ? AND server_id = ? ORDER BY updated_at DESC")
                .params(owner.userId(), serverId).query(this::row).list().stream().findFirst()
                : jdbc.sql("SELECT * FROM identities WHERE connection_id = ? AND server_id = ? ORDER BY updated_at DESC")
                .params(owner.connectionId(), serverId).query(this::row).list().stream().findFirst();
    }

    Optional<Credential> shared(String gatewayId, String serverId) {
        return jdbc.sql("SELECT * FROM identities WHERE gateway_id = ? AND server_id = ? AND user_id IS NULL AND connection_id IS NULL "
                + "ORDER BY updated_at DESC").params(gatewayId, serverId).query(this::row).list().stream().findFirst();
    }

    /** The associated data a credential's secret is sealed with: its own row. */
    private static String sealedFor(String credentialId) {
        return SecretBox.context("identities", "secret_sealed", credentialId);
    }

    /** The opened secret of a credential (a token, or the sealed OAuth document); for this package only. */
    String secret(String credentialId) {
        return jdbc.sql("SELECT secret_sealed FROM identities WHERE id = ?").param(credentialId).query(String.class)
                .optional().map(sealed -> secrets.decrypt(sealed, sealedFor(credentialId))).orElseThrow();
    }

    /** The sealed token of a usable personal credential, opened; empty when there is none or it failed. */
    public Optional<String> personalToken(String userId, String serverId) {
        return personal(userId, serverId).filter(c -> "ok".equals(c.state())).map(this::token);
    }

    /** The token a credential presents (an OAuth credential's access token), opened. */
    String token(Credential c) {
        String secret = secret(c.id());
        return OAUTH.equals(c.kind()) ? UpstreamTokens.parse(secret).accessToken() : secret;
    }

    @Transactional
    public Credential storePersonalToken(String userId, String serverId, String token) {
        return store(new Owner(userId, null), serverId, STATIC_TOKEN, checked(token), null);
    }

    @Transactional
    public Credential storeConnectionToken(String connectionId, String serverId, String token) {
        return store(new Owner(null, connectionId), serverId, STATIC_TOKEN, checked(token), null);
    }

    /** A shared identity of an assignment (a static token every connection presents); null token removes it. */
    @Transactional
    public void storeShared(String gatewayId, String serverId, String token) {
        List<String> replaced = shared(gatewayId, serverId).stream().map(Credential::id).toList();
        if (token != null) {
            checked(token);
        }
        jdbc.sql("DELETE FROM identities WHERE gateway_id = ? AND server_id = ? AND user_id IS NULL AND connection_id IS NULL")
                .params(gatewayId, serverId).update();
        if (token != null) {
            String t = checked(token);
            Instant now = Instant.now();
            String id = Ids.id("idn");
            jdbc.sql("INSERT INTO identities (id, server_id, user_id, connection_id, gateway_id, kind, secret_sealed, state, error, expires_at, "
                            + "created_at, updated_at) VALUES (?, ?, NULL, NULL, ?, ?, ?, 'ok', NULL, NULL, ?, ?)")
                    .params(id, serverId, gatewayId, STATIC_TOKEN, secrets.encrypt(t, sealedFor(id)), Timestamp.from(now), Timestamp.from(now))
                    .update();
            Commits.afterCommit(() -> discoverWithNewCredential(serverId));
            renewed(serverId, replaced);
        }
        changed();
    }

    /**
     * A credential was replaced by a new one (a reconnect, a new token): the alerts about the old one
     * being refused or not refreshable are resolved, since what they asked for is done.
     */
    private void renewed(String serverId, List<String> replacedIds) {
        for (String old : replacedIds) {
            resolveAlerts(serverId, old);
        }
    }

    /** Resolves the alerts saying a credential stopped working (it works again, or was replaced). */
    void resolveAlerts(String serverId, String credentialId) {
        AlertService.About about = new AlertService.About(null, serverId, credentialId);
        alerts.resolve("identity-rejected", about);
        alerts.resolve("identity-refresh-failed", about);
    }

    public boolean hasShared(String gatewayId, String serverId) {
        return shared(gatewayId, serverId).isPresent();
    }

    @Transactional
    Credential store(Owner owner, String serverId, String kind, String secret, Instant expiresAt) {
        catalog.server(serverId);
        Instant now = Instant.now();
        List<String> replaced = (owner.userId() != null
                ? jdbc.sql("SELECT id FROM identities WHERE user_id = ? AND server_id = ?").params(owner.userId(), serverId)
                : jdbc.sql("SELECT id FROM identities WHERE connection_id = ? AND server_id = ?").params(owner.connectionId(), serverId))
                .query(String.class).list();
        if (owner.userId() != null) {
            jdbc.sql("DELETE FROM identities WHERE user_id = ? AND server_id = ?").params(owner.userId(), serverId).update();
        } else {
            jdbc.sql("DELETE FROM identities WHERE connection_id = ? AND server_id = ?").params(owner.connectionId(), serverId).update();
        }
        Commits.afterCommit(() -> discoverWithNewCredential(serverId));
        String id = Ids.id("idn");
        jdbc.sql("INSERT INTO identities (id, server_id, user_id, connection_id, gateway_id, kind, secret_sealed, state, error, expires_at, "
                        + "created_at, updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, 'ok', NULL, ?, ?, ?)")
                .params(id, serverId, owner.userId(), owner.connectionId(), kind, secrets.encrypt(secret, sealedFor(id)),
                        expiresAt == null ? null : Timestamp.from(expiresAt), Timestamp.from(now), Timestamp.from(now)).update();
        changed();
        renewed(serverId, replaced);
        return find(owner, serverId).orElseThrow();
    }

    /** New OAuth tokens for an existing credential (after a refresh). */
    @Transactional
    Credential update(Credential c, String secret, Instant expiresAt) {
        jdbc.sql("UPDATE identities SET secret_sealed = ?, state = 'ok', error = NULL, expires_at = ?, updated_at = ? WHERE id = ?")
                .params(secrets.encrypt(secret, sealedFor(c.id())), expiresAt == null ? null : Timestamp.from(expiresAt), Timestamp.from(Instant.now()), c.id())
                .update();
        changed();
        return byId(c.id()).orElseThrow();
    }

    /** Marks a credential unusable ({@code refresh-failed} or {@code revoked}); a revoked one loses its secret. */
    @Transactional
    Credential mark(Credential c, String state, String error) {
        if ("revoked".equals(state)) {
            jdbc.sql("UPDATE identities SET state = ?, error = ?, secret_sealed = '', updated_at = ? WHERE id = ?")
                    .params(state, error, Timestamp.from(Instant.now()), c.id()).update();
        } else {
            jdbc.sql("UPDATE identities SET state = ?, error = ?, updated_at = ? WHERE id = ?")
                    .params(state, error, Timestamp.from(Instant.now()), c.id()).update();
        }
        changed();
        return byId(c.id()).orElseThrow();
    }

    Optional<Credential> byId(String id) {
        return jdbc.sql("SELECT * FROM identities WHERE id = ?").param(id).query(this::row).optional();
    }

    List<Credential> oauthExpiringBefore(Instant t) {
        return jdbc.sql("SELECT * FROM identities WHERE kind = ? AND state = 'ok' AND expires_at IS NOT NULL AND expires_at < ?")
                .params(OAUTH, Timestamp.from(t)).query(this::row).list();
    }

    /** A disabled user's personal credentials are deleted at once (deletion of the user cascades). */
    @org.springframework.context.event.EventListener
    @Transactional
    public void userDisabled(Directory.UserDisabled event) {
        if (jdbc.sql("DELETE FROM identities WHERE user_id = ?").param(event.userId()).update() > 0) {
            changed();
        }
    }

    @Transactional
    public void delete(String userId, String credentialId) {
        if (jdbc.sql("DELETE FROM identities WHERE id = ? AND user_id = ?").params(credentialId, userId).update() == 0) {
            throw ProblemException.notFound("identity", credentialId);
        }
        changed();
    }

    /**
     * A server Gatehouse could not list for want of a credential is listed as soon as one arrives,
     * so the first call through it finds its tools (discovery is otherwise retried only now and then).
     */
    private void discoverWithNewCredential(String serverId) {
        changed();
        events.publishEvent(new CredentialAdded(serverId)); // discovery listens, on this thread
    }

    private static String checked(String token) {
        if (token == null || token.isBlank() || token.length() > 8192) {
            throw ProblemException.invalid("token", "a token is required (at most 8192 characters)");
        }
        return token.trim();
    }

    private Credential row(ResultSet rs, int n) throws SQLException {
        return new Credential(rs.getString("id"), rs.getString("server_id"), rs.getString("user_id"), rs.getString("kind"),
                rs.getString("state"), rs.getString("error"), instant(rs, "expires_at"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String c) throws SQLException {
        Timestamp t = rs.getTimestamp(c);
        return t == null ? null : t.toInstant();
    }
}
