package gatehouse.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import gatehouse.alerts.AlertService;
import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;

/**
 * Credentials for upstream servers, sealed with the master key (AES-GCM). Three owners share one
 * table: a user (personal, from the connection wizard), an API-token connection (personal, given when
 * the connection is created) and an assignment (shared, set by an administrator). A credential is a
 * static token or upstream OAuth tokens ({@link UpstreamOAuth} keeps those fresh).
 *
 * <p>The data plane asks {@link #present} on every upstream request; answers are kept in memory for
 * a few seconds (and dropped at once on any change made here), so a message never waits for the
 * database and another replica's revocation takes effect within {@link #CACHE_TTL}.
 */
@Service
public class IdentityVault implements UpstreamCredentials {
    public static final String STATIC_TOKEN = "static-token";
    public static final String OAUTH = "oauth";
    static final Duration CACHE_TTL = Duration.ofSeconds(10);
    /** The {@link Unusable} state {@link #forDiscovery} answers for a server assigned only with personal identities. */
    public static final String PERSONAL_ONLY = UpstreamCredentials.PERSONAL_ONLY;

    private final JdbcClient jdbc;
    private final SecretBox secrets;
    private final CatalogService catalog;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile UpstreamOAuth oauth;
    private volatile CredentialRejections rejections;
    private final ApplicationEventPublisher events;
    private final UpstreamClients clients;
    private final gatehouse.platform.GatehouseProperties props;
    private final AlertService alerts;

    private record Cached(Presented presented, Instant until) {
    }

    IdentityVault(JdbcClient jdbc, SecretBox secrets, CatalogService catalog, ApplicationEventPublisher events,
                  UpstreamClients clients, gatehouse.platform.GatehouseProperties props, AlertService alerts) {
        this.alerts = alerts;
        this.clients = clients;
        this.props = props;
        this.events = events;
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.catalog = catalog;
    }

    void oauth(UpstreamOAuth oauth) {
        this.oauth = oauth;
    }

    void rejections(CredentialRejections rejections) {
        this.rejections = rejections;
    }

    /** The page where a person adds or renews their own credential for one server (signed in to Gatehouse). */
    public String renewUrl(String serverId) {
        return props.publicUrlNoSlash() + "/connect/servers/" + serverId;
    }

    /** Who owns the credential a connection presents for a personal server. */
    public record Owner(String userId, String connectionId) {
        static Owner of(Connection c) {
            return c.userId() != null ? new Owner(c.userId(), null) : new Owner(null, c.id());
        }
    }

    // --- reading

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

    /** Drops every opened credential held in memory (after credentials were removed outside this class). */
    void forgetCached() {
        cache.clear();
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

    private String token(Credential c) {
        String secret = secret(c.id());
        return OAUTH.equals(c.kind()) ? UpstreamTokens.parse(secret).accessToken() : secret;
    }

    // --- the data plane

    @Override
    public Presented present(String connectionId, String gatewayId, ServerDef server) {
        String key = connectionId + "\n" + gatewayId + "\n" + server.id();
        Instant now = Instant.now();
        Cached c = cache.get(key);
        if (c != null && now.isBefore(c.until())) {
            return c.presented();
        }
        Presented p = resolve(connectionId, gatewayId, server);
        cache.put(key, new Cached(p, now.plus(CACHE_TTL)));
        return p;
    }

    /**
     * Only a credential that belongs to no person: an administrator's shared identity of one of the
     * server's assignments that are shared. A server that every gateway assigns with personal
     * identities is never listed with someone's credential: it is {@link #PERSONAL_ONLY}, and its features are learned
     * from what people's own sessions list through the gateway.
     */
    @Override
    public Presented forDiscovery(ServerDef server) {
        String key = "discovery\n" + server.id();
        Instant now = Instant.now();
        Cached c = cache.get(key);
        if (c != null && now.isBefore(c.until())) {
            return c.presented();
        }
        List<Assignment> assigned = catalog.snapshot().assignmentsByGateway().values().stream().flatMap(List::stream)
                .filter(a -> a.serverId().equals(server.id())).toList();
        boolean personalOnly = !assigned.isEmpty() && assigned.stream().allMatch(a -> a.identity() == IdentityScheme.PERSONAL);
        Presented p = personalOnly ? new Unusable(PERSONAL_ONLY, "server '" + server.name() + "' is assigned only with personal "
                + "identities: Gatehouse does not list it with anyone's credential") : new None();
        // The shared identities of the gateways that assign it as shared, most recently set first.
        List<Credential> usable = assigned.stream().filter(a -> a.identity() == IdentityScheme.SHARED)
                .flatMap(a -> shared(a.gatewayId(), server.id()).stream()).filter(cr -> "ok".equals(cr.state()))
                .sorted(java.util.Comparator.comparing(Credential::updatedAt).reversed()).toList();
        for (Credential cr : usable) {
            try {
                p = presentedFor(cr, server);
                break;
            } catch (RuntimeException e) {
                // that one failed to refresh; try the next
            }
        }
        cache.put(key, new Cached(p, now.plus(CACHE_TTL)));
        return p;
    }

    private Presented resolve(String connectionId, String gatewayId, ServerDef server) {
        CatalogSnapshot snap = catalog.snapshot();
        Assignment a = snap.assignments(gatewayId).stream().filter(x -> x.serverId().equals(server.id())).findFirst().orElse(null);
        if (a == null) {
            return new None();
        }
        if (a.identity() == IdentityScheme.SHARED) {
            Optional<Credential> shared = shared(gatewayId, server.id());
            if (shared.isPresent() && !"ok".equals(shared.get().state())) {
                return new Unusable(shared.get().state(), "Server '" + server.name() + "' refused the shared credential this gateway "
                        + "presents for it (revoked or changed at the provider). An administrator must set a new one: PUT /api/v1/gateways/"
                        + gatewayId + "/servers/" + server.id() + "/identity {token}.");
            }
            return shared.<Presented>map(cr -> presentedFor(cr, server)).orElseGet(None::new);
        }
        Connection conn = snap.connectionsById().get(connectionId);
        if (conn == null) {
            return new Unusable("missing", "No credential for server '" + server.name() + "'.");
        }
        Owner owner = Owner.of(conn);
        Optional<Credential> found = find(owner, server.id());
        boolean person = conn.userId() != null;
        String renew = person ? renewUrl(server.id()) : null;
        if (found.isEmpty()) {
            return new Unusable("missing", person
                    ? "Server '" + server.name() + "' needs your own credential and you have not added one. Add it at " + renew
                    + " (or reconnect this gateway from your MCP client)."
                    : "Server '" + server.name() + "' needs a personal credential and this connection has none. An administrator can "
                    + "add one: PUT /api/v1/connections/" + conn.id() + "/identities/" + server.id() + " {token}.", renew);
        }
        Credential cr = found.get();
        return switch (cr.state()) {
            case "ok" -> {
                try {
                    yield presentedFor(cr, server);
                } catch (IllegalStateException e) {
                    yield refreshFailed(server, conn);
                }
            }
            case "refresh-failed" -> refreshFailed(server, conn);
            case "rejected" -> rejectedState(server, conn);
            default -> new Unusable("revoked", person
                    ? "Your credential for server '" + server.name() + "' was revoked. Add a new one at " + renew + "."
                    : "This connection's credential for server '" + server.name() + "' was revoked. An administrator can give a new one: "
                    + "PUT /api/v1/connections/" + conn.id() + "/identities/" + server.id() + " {token}.", renew);
        };
    }

    private Unusable refreshFailed(ServerDef server, Connection conn) {
        if (conn.userId() == null) {
            return new Unusable("refresh-failed", "This connection's credential for server '" + server.name()
                    + "' expired and could not be refreshed. An administrator can give a new one: PUT /api/v1/connections/" + conn.id()
                    + "/identities/" + server.id() + " {token}.");
        }
        return new Unusable("refresh-failed", "Your credential for server '" + server.name()
                + "' expired and could not be refreshed. Sign in to '" + server.name() + "' again at " + renewUrl(server.id()) + ".",
                renewUrl(server.id()));
    }

    /** What a connection is told when the upstream refused its credential (see {@link CredentialRejections}). */
    Unusable rejectedState(ServerDef server, Connection conn) {
        if (conn.userId() == null) {
            return new Unusable("rejected", "Server '" + server.name() + "' refused this connection's credential (revoked or changed at "
                    + "the provider). An administrator can give a new one: PUT /api/v1/connections/" + conn.id() + "/identities/"
                    + server.id() + " {token}.");
        }
        return new Unusable("rejected", "Server '" + server.name() + "' refused your credential for it (revoked or changed at the "
                + "provider). Renew it at " + renewUrl(server.id()) + ".", renewUrl(server.id()));
    }

    /** A usable credential as the upstream takes it: OAuth tokens as a bearer, a static key in the server's key header. */
    private Presented presentedFor(Credential cr, ServerDef server) {
        String token = usableToken(cr);
        if (OAUTH.equals(cr.kind())) {
            return new Bearer(token);
        }
        UpstreamClients.KeyHeader header = clients.keyHeader(server.id());
        return header.isBearer() ? new Bearer(token) : new KeyHeader(header.name(), header.value(token));
    }

    /** The header value {@code cr} would present now (no refresh), to compare with what an upstream refused. */
    String presentedValue(Credential cr, ServerDef server) {
        String token = token(cr);
        if (OAUTH.equals(cr.kind())) {
            return "Bearer " + token;
        }
        return clients.keyHeader(server.id()).value(token);
    }

    @Override
    public Presented rejected(String connectionId, String gatewayId, ServerDef server, String presented) {
        CredentialRejections r = rejections;
        return r == null ? new None() : r.rejected(connectionId, gatewayId, server, presented);
    }

    /** The credential a connection presents for a server (shared or its own), if any; never cached. */
    Optional<Credential> presentedCredential(String connectionId, String gatewayId, ServerDef server) {
        CatalogSnapshot snap = catalog.snapshot();
        Assignment a = snap.assignments(gatewayId).stream().filter(x -> x.serverId().equals(server.id())).findFirst().orElse(null);
        if (a == null) {
            return Optional.empty();
        }
        if (a.identity() == IdentityScheme.SHARED) {
            return shared(gatewayId, server.id());
        }
        Connection conn = snap.connectionsById().get(connectionId);
        return conn == null ? Optional.empty() : find(Owner.of(conn), server.id());
    }

    /** Drops what this vault remembers of what connections present (after a credential changed elsewhere in this package). */
    void changed() {
        cache.clear();
    }

    /** The token to send now: an OAuth access token about to expire is refreshed first. */
    private String usableToken(Credential cr) {
        if (OAUTH.equals(cr.kind()) && oauth != null && cr.expiresAt() != null
                && cr.expiresAt().isBefore(Instant.now().plus(UpstreamOAuth.REFRESH_AHEAD))) {
            Credential refreshed = oauth.refresh(cr);
            if (!"ok".equals(refreshed.state())) {
                throw new IllegalStateException("refresh failed");
            }
            return token(refreshed);
        }
        return token(cr);
    }

    // --- writing

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
            afterCommit(() -> discoverWithNewCredential(serverId));
            renewed(serverId, replaced);
        }
        cache.clear();
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
        afterCommit(() -> discoverWithNewCredential(serverId));
        String id = Ids.id("idn");
        jdbc.sql("INSERT INTO identities (id, server_id, user_id, connection_id, gateway_id, kind, secret_sealed, state, error, expires_at, "
                        + "created_at, updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, 'ok', NULL, ?, ?, ?)")
                .params(id, serverId, owner.userId(), owner.connectionId(), kind, secrets.encrypt(secret, sealedFor(id)),
                        expiresAt == null ? null : Timestamp.from(expiresAt), Timestamp.from(now), Timestamp.from(now)).update();
        cache.clear();
        renewed(serverId, replaced);
        return find(owner, serverId).orElseThrow();
    }

    /** New OAuth tokens for an existing credential (after a refresh). */
    @Transactional
    Credential update(Credential c, String secret, Instant expiresAt) {
        jdbc.sql("UPDATE identities SET secret_sealed = ?, state = 'ok', error = NULL, expires_at = ?, updated_at = ? WHERE id = ?")
                .params(secrets.encrypt(secret, sealedFor(c.id())), expiresAt == null ? null : Timestamp.from(expiresAt), Timestamp.from(Instant.now()), c.id())
                .update();
        cache.clear();
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
        cache.clear();
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
            cache.clear();
        }
    }

    @Transactional
    public void delete(String userId, String credentialId) {
        if (jdbc.sql("DELETE FROM identities WHERE id = ? AND user_id = ?").params(credentialId, userId).update() == 0) {
            throw ProblemException.notFound("identity", credentialId);
        }
        cache.clear();
    }

    /** The personal servers of a gateway this user has no usable credential for yet, in gateway order. */
    public List<ServerDef> missingPersonal(String userId, String gatewayId) {
        var snapshot = catalog.snapshot();
        return snapshot.assignments(gatewayId).stream()
                .filter(a -> a.identity() == IdentityScheme.PERSONAL)
                .map(Assignment::serverId)
                .filter(sid -> personal(userId, sid).filter(c -> "ok".equals(c.state())).isEmpty())
                .map(sid -> snapshot.servers().get(sid))
                .filter(s -> s != null)
                .toList();
    }

    /** The state of each personal server's credential for one connection, for the admin API. Never a secret. */
    public record IdentityState(String serverId, String state, Instant expiresAt, String error) {
    }

    public List<IdentityState> states(Connection c) {
        Owner owner = Owner.of(c);
        return catalog.snapshot().assignments(c.gatewayId()).stream()
                .filter(a -> a.identity() == IdentityScheme.PERSONAL)
                .map(a -> find(owner, a.serverId())
                        .map(cr -> new IdentityState(a.serverId(), cr.state(), cr.expiresAt(), cr.error()))
                        .orElseGet(() -> new IdentityState(a.serverId(), "missing", null, null)))
                .toList();
    }

    /** The credential a connection presents for a personal server; 404 when there is none. */
    public Credential ofConnection(Connection c, String serverId) {
        return find(Owner.of(c), serverId).orElseThrow(() -> ProblemException.notFound("identity", serverId));
    }

    @Transactional
    public Credential revoke(Connection c, String serverId) {
        return revoke(c, serverId, "revoked by an administrator");
    }

    /** Revokes with the reason recorded on the credential (who revoked it). */
    @Transactional
    public Credential revoke(Connection c, String serverId, String reason) {
        return mark(ofConnection(c, serverId), "revoked", reason);
    }

    /** Whether {@link #refresh} can work: an OAuth credential, not revoked, holding a refresh token. Never the secret itself. */
    public boolean refreshable(Connection c, String serverId) {
        Optional<Credential> cr = find(Owner.of(c), serverId);
        if (cr.isEmpty() || !OAUTH.equals(cr.get().kind()) || "revoked".equals(cr.get().state()) || oauth == null) {
            return false;
        }
        try {
            return UpstreamTokens.parse(secret(cr.get().id())).refreshToken() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Refreshes an OAuth credential now; a static token cannot be refreshed. */
    public Credential refresh(Connection c, String serverId) {
        Credential cr = ofConnection(c, serverId);
        if (!OAUTH.equals(cr.kind()) || oauth == null) {
            throw ProblemException.invalid("serverId", "this credential is a static token; it has nothing to refresh");
        }
        if ("revoked".equals(cr.state())) {
            throw ProblemException.invalid("serverId", "this credential was revoked; the person must reconnect");
        }
        return oauth.refresh(cr);
    }

    /**
     * A server Gatehouse could not list for want of a credential is listed as soon as one arrives,
     * so the first call through it finds its tools (discovery is otherwise retried only now and then).
     */
    private void discoverWithNewCredential(String serverId) {
        cache.clear();
        events.publishEvent(new CredentialAdded(serverId)); // discovery listens, on this thread
    }

    private static void afterCommit(Runnable r) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    r.run();
                }
            });
        } else {
            r.run();
        }
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
