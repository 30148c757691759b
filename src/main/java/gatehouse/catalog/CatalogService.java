package gatehouse.catalog;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.platform.Commits;
import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import gatehouse.platform.TokenHashes;

/** Validates and applies configuration changes, then publishes a fresh snapshot. */
@Service
public class CatalogService implements gatehouse.platform.Reloadable {
    private static final Logger log = LoggerFactory.getLogger(CatalogService.class);
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*(_[A-Za-z0-9.-]+)*");

    private final CatalogRepository repo;
    private final ApplicationEventPublisher events;
    private final AtomicLong versions = new AtomicLong();
    private volatile CatalogSnapshot snapshot;

    CatalogService(CatalogRepository repo, ApplicationEventPublisher events) {
        this.repo = repo;
        this.events = events;
        this.snapshot = load();
    }

    /**
     * The databases keep microseconds: a value truncated here is exactly what a later read returns,
     * so an answer and the stored row (and a fresh snapshot) agree.
     */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    /** The current configuration; never blocks. */
    public CatalogSnapshot snapshot() {
        return snapshot;
    }

    /** Re-reads the database; other replicas' changes arrive this way. */
    @Scheduled(fixedDelayString = "${gatehouse.catalog-refresh:5s}")
    @Override
    public synchronized void reload() {
        CatalogSnapshot fresh = load();
        CatalogSnapshot old = snapshot;
        if (!sameContent(old, fresh)) {
            publish(fresh);
        }
    }

    /**
     * Looks something up by id for the admin API; on a miss the database is read once more, so
     * an id that another replica just returned (behind a round-robin balancer) is found here too.
     */
    private <T> T known(java.util.function.Function<CatalogSnapshot, T> lookup) {
        T found = lookup.apply(snapshot);
        if (found == null) {
            reload();
            found = lookup.apply(snapshot);
        }
        return found;
    }

    private CatalogSnapshot load() {
        return CatalogSnapshot.of(repo.servers(), repo.gateways(), repo.assignments(), repo.connections(), versions.incrementAndGet());
    }

    private static boolean sameContent(CatalogSnapshot a, CatalogSnapshot b) {
        return a.servers().equals(b.servers()) && a.gateways().equals(b.gateways())
                && a.assignmentsByGateway().equals(b.assignmentsByGateway()) && a.connectionsById().equals(b.connectionsById());
    }

    private synchronized void publish(CatalogSnapshot fresh) {
        CatalogSnapshot old = snapshot;
        snapshot = fresh;
        events.publishEvent(new CatalogChanged(old, fresh)); // every CatalogListener, each failure logged apart
    }

    /**
     * A change made here is in force before its caller gets an answer: published now (inside the
     * transaction) and compared again once committed, since a periodic reload may have read the
     * tables between the two and published the old content.
     */
    private synchronized void changed() {
        publish(load());
        Commits.againAfterCommit(this::reload);
    }

    // --- servers

    public record ServerInput(String name, String transport, List<String> command, Map<String, String> env,
                              String url, Map<String, String> headers) {
    }

    @Transactional
    public ServerDef createServer(ServerInput in) {
        Instant now = now();
        ServerDef s = validateServer(new ServerDef(Ids.id("srv"), in.name(), parseTransport(in.transport()), in.command(), in.env(),
                in.url(), in.headers(), now, now), null);
        repo.insertServer(s);
        changed();
        return s;
    }

    @Transactional
    public ServerDef updateServer(String id, ServerInput in) {
        ServerDef old = server(id);
        ServerDef s = validateServer(new ServerDef(id,
                in.name() != null ? in.name() : old.name(),
                in.transport() != null ? parseTransport(in.transport()) : old.transport(),
                in.command() != null ? in.command() : old.command(),
                in.env() != null ? in.env() : old.env(),
                in.url() != null ? in.url() : old.url(),
                in.headers() != null ? in.headers() : old.headers(), old.createdAt(), now()), id);
        repo.updateServer(s);
        if (!ServerDef.sameOrigin(old.url(), s.url())) {
            // Credentials were given for the old host: never send them to a new one.
            int wiped = repo.deleteCredentialsOfServer(id);
            if (wiped > 0) {
                log.warn("server {} moved to another origin; its {} stored credential(s) were removed and must be given again", s.name(), wiped);
            }
        }
        changed();
        return s;
    }

    @Transactional
    public void deleteServer(String id) {
        if (!repo.deleteServer(id)) {
            throw ProblemException.notFound("server", id);
        }
        changed();
    }

    public ServerDef server(String id) {
        ServerDef s = known(c -> c.servers().get(id));
        if (s == null) {
            throw ProblemException.notFound("server", id);
        }
        return s;
    }

    public Optional<ServerDef> serverByName(String name) {
        return snapshot.servers().values().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private static Transport parseTransport(String value) {
        if (value == null) {
            throw ProblemException.invalid("transport", "transport is required: one of stdio, streamable-http, sse");
        }
        try {
            return Transport.fromWire(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("transport", e.getMessage());
        }
    }

    private ServerDef validateServer(ServerDef s, String selfId) {
        requireName("name", s.name());
        if (snapshot.servers().values().stream().anyMatch(o -> o.name().equals(s.name()) && !o.id().equals(selfId))) {
            throw ProblemException.conflict("name", "a server named '" + s.name() + "' already exists");
        }
        switch (s.transport()) {
            case STDIO -> {
                if (s.command().isEmpty() || s.command().getFirst().isBlank()) {
                    throw ProblemException.invalid("command", "a stdio server needs a command, e.g. [\"npx\", \"-y\", \"some-mcp-server\"]");
                }
            }
            case STREAMABLE_HTTP, SSE -> {
                if (s.url() == null || s.url().isBlank()) {
                    throw ProblemException.invalid("url", "a " + s.transport().wire() + " server needs a url");
                }
                try {
                    URI u = URI.create(s.url());
                    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                        throw new IllegalArgumentException();
                    }
                } catch (IllegalArgumentException e) {
                    throw ProblemException.invalid("url", "url must be an absolute http(s) URL (got '" + s.url() + "')");
                }
            }
        }
        return s;
    }

    private static void requireName(String field, String name) {
        if (name == null || name.isBlank()) {
            throw ProblemException.invalid(field, field + " is required");
        }
        if (name.length() > 128) {
            throw ProblemException.invalid(field, field + " must be at most 128 characters");
        }
    }

    // --- gateways

    @Transactional
    public GatewayDef createGateway(String name) {
        requireName("name", name);
        if (gatewayByName(name).isPresent()) {
            throw ProblemException.conflict("name", "a gateway named '" + name + "' already exists");
        }
        GatewayDef g = new GatewayDef(Ids.id("gw"), name, now());
        repo.insertGateway(g);
        changed();
        return g;
    }

    @Transactional
    public GatewayDef renameGateway(String id, String name) {
        gateway(id);
        requireName("name", name);
        if (gatewayByName(name).filter(g -> !g.id().equals(id)).isPresent()) {
            throw ProblemException.conflict("name", "a gateway named '" + name + "' already exists");
        }
        repo.renameGateway(id, name);
        changed();
        return gateway(id);
    }

    @Transactional
    public void deleteGateway(String id) {
        if (!repo.deleteGateway(id)) {
            throw ProblemException.notFound("gateway", id);
        }
        changed();
    }

    public GatewayDef gateway(String id) {
        GatewayDef g = known(c -> c.gateways().get(id));
        if (g == null) {
            throw ProblemException.notFound("gateway", id);
        }
        return g;
    }

    public Optional<GatewayDef> gatewayByName(String name) {
        return snapshot.gateways().values().stream().filter(g -> g.name().equals(name)).findFirst();
    }

    // --- assignments

    /** The prefix a server gets when the assignment names none: its name, made safe for tool names. */
    public static String defaultPrefix(String serverName) {
        String p = serverName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-").replaceAll("^-+|-+$", "");
        return p.isEmpty() ? "server" : p.length() > 48 ? p.substring(0, 48) : p;
    }

    @Transactional
    /**
     * Assigns a server to a gateway, or changes an assignment: what is not given ({@code null})
     * stays as it is (a new assignment: shared, prefixed with the server's name), so an update
     * never renames the tools clients use unless asked to.
     */
    public Assignment assign(String gatewayId, String serverId, String identity, String prefix) {
        return assign(gatewayId, serverId, identity, prefix, null);
    }

    /**
     * As {@link #assign(String, String, String, String)}; {@code probe} (null: none) asks the servers
     * for their tool names, to refuse an assignment whose exposed names would clash.
     */
    @Transactional
    public Assignment assign(String gatewayId, String serverId, String identity, String prefix, ServerProbe probe) {
        gateway(gatewayId);
        ServerDef server = server(serverId);
        Assignment current = repo.assignments().stream()
                .filter(a -> a.gatewayId().equals(gatewayId) && a.serverId().equals(serverId)).findFirst().orElse(null);
        IdentityScheme scheme;
        try {
            scheme = identity == null ? (current != null ? current.identity() : IdentityScheme.SHARED) : IdentityScheme.fromWire(identity);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("identity", e.getMessage());
        }
        if (scheme == IdentityScheme.PERSONAL && server.transport() == Transport.STDIO) {
            // One stdio process serves every client, so it cannot carry each user's credential.
            throw ProblemException.invalid("identity", "a stdio server cannot be personal: its one process is shared by every user; "
                    + "use 'shared' (credentials in the server's env) or serve it over HTTP");
        }
        String p = prefix != null ? prefix : current != null ? current.prefix() : defaultPrefix(server.name());
        if (!p.isEmpty() && (p.length() > 64 || !PREFIX.matcher(p).matches())) {
            throw ProblemException.invalid("prefix", "prefix must be empty or 1-64 characters of letters, digits, '.', '-' and single '_' "
                    + "(it is joined to names with '__'), got '" + p + "'");
        }
        List<Assignment> others = snapshot.assignments(gatewayId).stream().filter(a -> !a.serverId().equals(serverId)).toList();
        if (!p.isEmpty()) {
            others.stream().filter(a -> a.prefix().equals(p)).findFirst().ifPresent(a -> {
                throw ProblemException.conflict("prefix", "prefix '" + p + "' is already used in this gateway by server '"
                        + snapshot.servers().get(a.serverId()).name() + "'; choose another prefix");
            });
        }
        Assignment a = new Assignment(gatewayId, serverId, scheme, p, current != null ? current.createdAt() : now());
        checkNameClashes(a, others, probe);
        repo.upsertAssignment(a);
        changed();
        return a;
    }

    /** Refuses an assignment whose exposed tool names would collide with names already in the gateway. */
    private void checkNameClashes(Assignment candidate, List<Assignment> others, ServerProbe p) {
        if (p == null || others.isEmpty()) {
            return;
        }
        boolean anyEmpty = candidate.prefix().isEmpty() || others.stream().anyMatch(a -> a.prefix().isEmpty());
        if (!anyEmpty) {
            return; // distinct non-empty prefixes cannot clash
        }
        Optional<Set<String>> mine = p.toolNames(snapshot.servers().get(candidate.serverId()));
        if (mine.isEmpty()) {
            log.info("server {} is unreachable; assignment accepted without a name-clash check", candidate.serverId());
            return;
        }
        Map<String, String> taken = new HashMap<>();
        for (Assignment other : others) {
            ServerDef s = snapshot.servers().get(other.serverId());
            p.toolNames(s).ifPresent(names -> names.forEach(n -> taken.put(other.expose(n), s.name())));
        }
        List<String> clashes = new ArrayList<>();
        for (String n : mine.get()) {
            String exposed = candidate.expose(n);
            if (taken.containsKey(exposed)) {
                clashes.add("'" + exposed + "' (also on server '" + taken.get(exposed) + "')");
            }
        }
        if (!clashes.isEmpty()) {
            throw ProblemException.conflict("prefix", "tool names would clash in this gateway: " + String.join(", ", clashes)
                    + "; give this assignment (or the other one) a non-empty prefix");
        }
    }

    @Transactional
    public void unassign(String gatewayId, String serverId) {
        if (!repo.deleteAssignment(gatewayId, serverId)) {
            throw ProblemException.notFound("assignment", gatewayId + "/" + serverId);
        }
        changed();
    }

    // --- hosts and connections

    @Transactional
    public Host createHost(String name, String kind) {
        requireName("name", name);
        Host h = new Host(Ids.id("host"), name, kind, now());
        repo.insertHost(h);
        changed();
        return h;
    }

    public List<Host> hosts() {
        return repo.hosts();
    }

    public Host host(String id) {
        return repo.hosts().stream().filter(h -> h.id().equals(id)).findFirst().orElseThrow(() -> ProblemException.notFound("host", id));
    }

    @Transactional
    public void deleteHost(String id) {
        if (!repo.deleteHost(id)) {
            throw ProblemException.notFound("host", id);
        }
        changed();
    }

    /** A connection and its bearer token; the token exists only in this value, never stored. */
    public record IssuedConnection(Connection connection, String token) {
    }

    @Transactional
    public IssuedConnection createConnection(String hostId, String gatewayId) {
        host(hostId);
        if (gatewayId == null) {
            throw ProblemException.invalid("gatewayId", "gatewayId is required");
        }
        if (known(s -> s.gateways().get(gatewayId)) == null) {
            throw ProblemException.invalid("gatewayId", "gateway '" + gatewayId + "' does not exist");
        }
        String token = Ids.secret("gh");
        Connection c = new Connection(Ids.id("conn"), gatewayId, hostId, null, true, TokenHashes.sha256(token), now());
        repo.insertConnection(c);
        changed();
        return new IssuedConnection(c, token);
    }

    public Connection connection(String id) {
        Connection c = known(s -> s.connectionsById().get(id));
        if (c == null) {
            throw ProblemException.notFound("connection", id);
        }
        return c;
    }

    @Transactional
    public Connection setConnectionEnabled(String id, boolean enabled) {
        connection(id);
        repo.setConnectionEnabled(id, enabled);
        changed();
        return connection(id);
    }

    @Transactional
    public String rotateConnectionToken(String id) {
        connection(id);
        String token = Ids.secret("gh");
        repo.setConnectionTokenHash(id, TokenHashes.sha256(token));
        changed();
        return token;
    }

    @Transactional
    public void deleteConnection(String id) {
        if (!repo.deleteConnection(id)) {
            throw ProblemException.notFound("connection", id);
        }
        changed();
    }

    // --- interactive connections (OAuth clients registered by DCR, one connection per client x user x gateway)

    /** The host row of a client registered by dynamic client registration; its id is the registration's id. */
    @Transactional
    public Host ensureInteractiveHost(String id, String name) {
        Optional<Host> existing = repo.hosts().stream().filter(h -> h.id().equals(id)).findFirst();
        if (existing.isPresent()) {
            return existing.get();
        }
        Host h = new Host(id, name == null || name.isBlank() ? "unnamed client" : name.length() > 128 ? name.substring(0, 128) : name,
                "interactive", Instant.now());
        repo.insertHost(h);
        changed();
        return h;
    }

    /** The connection of this client, user and gateway, created on first use; OAuth tokens carry its id. */
    @Transactional
    public Connection interactiveConnection(String hostId, String userId, String gatewayId) {
        Optional<Connection> existing = snapshot.connectionsById().values().stream()
                .filter(c -> hostId.equals(c.hostId()) && userId.equals(c.userId()) && gatewayId.equals(c.gatewayId())).findFirst();
        if (existing.isPresent()) {
            return existing.get();
        }
        gateway(gatewayId);
        Connection c = new Connection(Ids.id("conn"), gatewayId, hostId, userId, true, null, Instant.now());
        repo.insertConnection(c);
        changed();
        return c;
    }

    @Transactional
    public void deleteConnectionsOfUser(String userId) {
        if (repo.deleteConnectionsOfUser(userId) > 0) {
            changed();
        }
    }
}
