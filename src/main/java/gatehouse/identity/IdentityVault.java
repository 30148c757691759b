package gatehouse.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.ProblemException;

/**
 * Which credential a connection presents to each upstream server, and what a person or an
 * administrator does with credentials. Three owners share them: a user (personal, from the
 * connection wizard), an API-token connection (personal, given when the connection is created) and an
 * assignment (shared, set by an administrator). A credential is a static token or upstream OAuth
 * tokens; {@link CredentialStore} keeps them sealed, {@link UpstreamOAuth} keeps OAuth ones fresh
 * (a token about to expire is refreshed before it is presented).
 *
 * <p>The data plane asks {@link #present} on every upstream request; answers are kept in memory for
 * a few seconds (and dropped at once on any change to the store), so a message never waits for the
 * database and another replica's revocation takes effect within {@link #CACHE_TTL}.
 */
@Service
public class IdentityVault implements UpstreamCredentials {
    public static final String STATIC_TOKEN = "static-token";
    public static final String OAUTH = "oauth";
    static final Duration CACHE_TTL = Duration.ofSeconds(10);
    /** The {@link Unusable} state {@link #forDiscovery} answers for a server assigned only with personal identities. */
    public static final String PERSONAL_ONLY = UpstreamCredentials.PERSONAL_ONLY;

    private final CredentialStore store;
    private final CatalogService catalog;
    private final CredentialRefresh refresh;
    /** By {@link Key} (a connection's answer for a server on a gateway) or {@link DiscoveryKey}. */
    private final Map<Object, Cached> cache = new ConcurrentHashMap<>();
    private final CredentialRejections rejections;
    private final UpstreamClients clients;
    private final gatehouse.platform.GatehouseProperties props;

    /** An answer, good until {@code until} ({@link System#nanoTime}) while the store is still at {@code generation}. */
    private record Cached(Presented presented, long until, long generation) {
    }

    /** The key of {@link #present}'s answers: a record, so asking on every upstream request joins no strings. */
    private record Key(String connectionId, String gatewayId, String serverId) {
    }

    /** The key of {@link #forDiscovery}'s answers. */
    private record DiscoveryKey(String serverId) {
    }

    IdentityVault(CredentialStore store, CatalogService catalog, UpstreamOAuth oauth, CredentialRefresh refresh, UpstreamClients clients,
                  gatehouse.platform.GatehouseProperties props, gatehouse.alerts.AlertService alerts, Directory directory) {
        this.store = store;
        this.catalog = catalog;
        this.refresh = refresh;
        this.clients = clients;
        this.props = props;
        this.rejections = new CredentialRejections(this, store, oauth, alerts, catalog, directory);
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



    // --- reading (the store keeps them)

    public List<Credential> ofUser(String userId) {
        return store.ofUser(userId);
    }

    public Optional<Credential> personal(String userId, String serverId) {
        return store.personal(userId, serverId);
    }

    Optional<Credential> find(Owner owner, String serverId) {
        return store.find(owner, serverId);
    }

    Optional<Credential> shared(String gatewayId, String serverId) {
        return store.shared(gatewayId, serverId);
    }

    /** Drops every opened credential held in memory (after credentials were removed outside this class). */
    void forgetCached() {
        store.changed();
    }

    /** The sealed token of a usable personal credential, opened; empty when there is none or it failed. */
    public Optional<String> personalToken(String userId, String serverId) {
        return store.personalToken(userId, serverId);
    }


    // --- the data plane

    @Override
    public Presented present(String connectionId, String gatewayId, ServerDef server) {
        return cached(new Key(connectionId, gatewayId, server.id()), () -> resolve(connectionId, gatewayId, server));
    }

    /** The answer kept under {@code key} while it is fresh and the store unchanged, else {@code resolve}'s, kept. */
    private Presented cached(Object key, java.util.function.Supplier<Presented> resolve) {
        long now = System.nanoTime();
        long generation = store.generation();
        Cached c = cache.get(key);
        if (c != null && c.generation() != generation) {
            cache.clear(); // something changed: no opened credential outlives its change in memory
            c = null;
        }
        if (c != null && now - c.until() < 0) {
            return c.presented();
        }
        Presented p = resolve.get();
        cache.put(key, new Cached(p, now + CACHE_TTL.toNanos(), generation));
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
        return cached(new DiscoveryKey(server.id()), () -> discovery(server));
    }

    private Presented discovery(ServerDef server) {
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
        String token = refresh.tokenToPresent(cr);
        if (OAUTH.equals(cr.kind())) {
            return new Bearer(token);
        }
        UpstreamClients.KeyHeader header = clients.keyHeader(server.id());
        return header.isBearer() ? new Bearer(token) : new KeyHeader(header.name(), header.value(token));
    }

    /** The header value {@code cr} would present now (no refresh), to compare with what an upstream refused. */
    String presentedValue(Credential cr, ServerDef server) {
        String token = store.token(cr);
        if (OAUTH.equals(cr.kind())) {
            return "Bearer " + token;
        }
        return clients.keyHeader(server.id()).value(token);
    }

    @Override
    public Presented rejected(String connectionId, String gatewayId, ServerDef server, String presented) {
        return rejections.rejected(connectionId, gatewayId, server, presented);
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
        store.changed();
    }

    // --- writing (the store keeps them)

    public Credential storePersonalToken(String userId, String serverId, String token) {
        return store.storePersonalToken(userId, serverId, token);
    }

    public Credential storeConnectionToken(String connectionId, String serverId, String token) {
        return store.storeConnectionToken(connectionId, serverId, token);
    }

    /** A shared identity of an assignment (a static token every connection presents); null token removes it. */
    public void storeShared(String gatewayId, String serverId, String token) {
        store.storeShared(gatewayId, serverId, token);
    }

    public boolean hasShared(String gatewayId, String serverId) {
        return store.hasShared(gatewayId, serverId);
    }

    Credential store(Owner owner, String serverId, String kind, String secret, Instant expiresAt) {
        return store.store(owner, serverId, kind, secret, expiresAt);
    }

    public void delete(String userId, String credentialId) {
        store.delete(userId, credentialId);
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
        return store.mark(ofConnection(c, serverId), "revoked", reason);
    }
}
