package gatehouse.gateway.upstream;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import gatehouse.catalog.CatalogListener;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.ServerProbe;
import gatehouse.catalog.health.ServerHealthBoard;
import gatehouse.identity.UpstreamCredentials;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * Opens upstream sessions. HTTP and SSE upstreams get one session per downstream session (so
 * server-to-client requests have exactly one place to go); a stdio server is one supervised
 * process shared by everyone.
 */
@Component
@org.springframework.boot.context.properties.EnableConfigurationProperties(StdioProperties.class)
public class Upstreams implements CatalogListener, ServerProbe, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);
    public static final String VERSION = "0.1.0";

    private final GatehouseProperties props;
    private final HttpClient http;
    /** The client of message POSTs: connections kept per upstream address, one thread per exchange (the caller's). */
    private final MessageClient messages;
    private final Map<String, StdioUpstream> stdio = new ConcurrentHashMap<>();
    /** Which generation each Streamable HTTP server spoke when last asked, so the probe is not repeated per session. */
    private final Map<String, Generation> generations = new ConcurrentHashMap<>();

    /**
     * Servers that answered a 2025 initialize without a session (a 2026 server's legacy mode, for
     * one): their 2025 clients are bridged to the stateless generation instead (see {@link #connect}).
     */
    private final Map<String, ServerDef> sessionless = new ConcurrentHashMap<>();

    /** A server's protocol generation as last seen; a 2025 verdict is re-checked now and then (servers upgrade). */
    private record Generation(ServerDef server, boolean stateless, Instant seen) {
    }

    /** What sessions present to servers (the credential store; nothing in tests that build this class by hand). */
    private final UpstreamCredentials credentials;

    private final StdioProperties stdioProps;
    private final Path stdioRoot;
    /** Where what is seen of each server's reachability goes (none in tests that build this class by hand). */
    private final ServerHealthBoard health;

    public Upstreams(GatehouseProperties props) {
        this(props, StdioProperties.DEFAULTS, UpstreamCredentials.NONE, null);
    }

    @org.springframework.beans.factory.annotation.Autowired
    public Upstreams(GatehouseProperties props, StdioProperties stdioProps, UpstreamCredentials credentials, ServerHealthBoard health) {
        this.health = health;
        this.credentials = credentials;
        this.props = props;
        this.stdioProps = stdioProps;
        this.stdioRoot = StdioLaunch.workRoot(stdioProps, Path.of(props.dataDir()));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(props.mcp().connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                // The client's own steps (write the request, parse the response, hand bytes to the
                // body's reader) run on the thread that drives them: its selector or the caller.
                // None of them blocks, and a thread per step cost more than the steps themselves.
                .executor(Runnable::run)
                .build();
        this.messages = new MessageClient(props.mcp().connectTimeout());
    }

    /** The credential store upstream sessions of clients present from. */
    public UpstreamCredentials credentials() {
        return credentials;
    }

    public Duration callTimeout() {
        return props.mcp().upstreamTimeout();
    }

    /** The initialize parameters Gatehouse uses when no single client stands behind a session. */
    public static ObjectNode ownInitParams() {
        ObjectNode p = Json.object();
        p.put("protocolVersion", "2025-11-25");
        ObjectNode caps = p.putObject("capabilities");
        caps.putObject("sampling");
        caps.putObject("elicitation");
        caps.putObject("roots").put("listChanged", true);
        ObjectNode info = p.putObject("clientInfo");
        info.put("name", "gatehouse");
        info.put("version", VERSION);
        return p;
    }

    /**
     * A session with {@code server} on behalf of a client whose initialize parameters are
     * {@code clientInit}, on Gatehouse's own credential for it (see {@link UpstreamCredentials#forDiscovery}). Blocks until the session is usable or throws {@link UpstreamException}.
     */
    public UpstreamSession connect(ServerDef server, ObjectNode clientInit) {
        return connect(server, clientInit, presenting(server.name(), () -> credentials().forDiscovery(server), null), false);
    }

    /**
     * A credential source over {@link UpstreamCredentials}: its header at each request, and on a 401
     * {@code onRejected} (null: the 401 is reported as it is).
     */
    public static CredentialSource presenting(String serverName, Supplier<UpstreamCredentials.Presented> presented,
                                              java.util.function.Function<String, RuntimeException> onRejected) {
        return new CredentialSource() {
            @Override
            public Map.Entry<String, String> header() {
                return UpstreamCredentials.headerOf(presented.get());
            }

            @Override
            public RuntimeException rejected(String value) {
                return onRejected == null ? new UpstreamUnauthorizedException(serverName) : onRejected.apply(value);
            }
        };
    }

    /**
     * As {@link #connect(ServerDef, ObjectNode)}, presenting {@code Authorization: Bearer} with the
     * token {@code bearer} supplies at each HTTP request (null: only the server's own headers).
     * Stdio processes are shared by everyone and take no per-caller credential.
     */
    public UpstreamSession connect(ServerDef server, ObjectNode clientInit, Supplier<String> bearer) {
        return connect(server, clientInit, bearer, false);
    }

    /** As {@link #connect(ServerDef, ObjectNode, Supplier, boolean)} with a bearer token only (tests, probes). */
    public UpstreamSession connect(ServerDef server, ObjectNode clientInit, Supplier<String> bearer, boolean sessionClient) {
        return connect(server, clientInit, presenting(server.name(), () -> {
            String token = bearer.get();
            return token == null ? new UpstreamCredentials.None() : new UpstreamCredentials.Bearer(token);
        }, null), sessionClient);
    }

    /**
     * As {@link #connect(ServerDef, ObjectNode, Supplier)}; {@code sessionClient}: the session is a
     * 2025 client's. Such a client gets a 2025 session with a Streamable HTTP server that keeps one,
     * even when the server also speaks the stateless generation: only within a session can the
     * server's tools ask the client mid-call (its stateless side may answer such a tool with -32601),
     * and its GET stream and subscriptions are what the client expects. A server that answers the
     * 2025 handshake without a session (a 2026 server's legacy mode) is spoken to in 2026 and bridged.
     */
    public UpstreamSession connect(ServerDef server, ObjectNode clientInit, CredentialSource credential, boolean sessionClient) {
        UpstreamSession session = open(server, clientInit, credential, sessionClient);
        if (!shared(server)) {
            ServerHealthBoard board = health;
            if (board != null) {
                board.reachable(server); // a failure is judged by the health checks: an HTTP error may be this caller's credential
            }
        }
        return session;
    }

    /**
     * A 2025 client's session with {@code server} carried on from {@code state} (written by another
     * replica, or before a restart): re-attached by its {@code Mcp-Session-Id} without a handshake
     * when the server is still the Streamable HTTP endpoint it was made with; null when it cannot be
     * (then the caller opens a new one).
     */
    public UpstreamSession resume(ServerDef server, ObjectNode clientInit, CredentialSource credential, ResumeState state) {
        if (state == null || server.transport() != gatehouse.catalog.Transport.STREAMABLE_HTTP || !state.url().equals(server.url())
                || server.equals(sessionless.get(server.id()))) {
            return null;
        }
        StreamableHttpUpstream s = new StreamableHttpUpstream(config(server, clientInit, new AuthorizedHeaders(server.headers(), credential::header)));
        s.credentials(credential);
        s.resume(state);
        conduct(s);
        return s;
    }

    private UpstreamSession open(ServerDef server, ObjectNode clientInit, CredentialSource credential, boolean sessionClient) {
        Map<String, String> headers = new AuthorizedHeaders(server.headers(), credential::header);
        UpstreamSession opened = switch (server.transport()) {
            case STDIO -> sharedStdio(server);
            case STREAMABLE_HTTP -> sessionClient && !server.equals(sessionless.get(server.id()))
                    ? sessionFirst(server, clientInit, headers)
                    : statelessFirst(server, clientInit, headers);
            case SSE -> {
                SseUpstream s = new SseUpstream(config(server, clientInit, headers));
                try {
                    s.open();
                } catch (RuntimeException e) {
                    s.close();
                    throw e;
                }
                yield s;
            }
        };
        if (server.transport() != gatehouse.catalog.Transport.STDIO) {
            opened.credentials(credential); // a stdio process is shared and takes no per-caller credential
        }
        conduct(opened);
        return opened;
    }

    /** Misbehaviour the session sees raises the health board's alert about its server. */
    private void conduct(UpstreamSession session) {
        ServerHealthBoard board = health;
        if (board != null) {
            session.reportMisbehaviourTo(board::misbehaved);
        }
    }

    /** The one configuration every HTTP upstream client of {@code server} is built from. */
    private HttpUpstreamConfig config(ServerDef server, ObjectNode clientInit, Map<String, String> headers) {
        return new HttpUpstreamConfig(server, http, messages, headers, clientInit, props.mcp().connectTimeout(),
                props.mcp().upstreamTimeout(), props.mcp().maxUpstreamMessageBytes());
    }

    /** The stateless generation when the server speaks it, else a 2025 session. */
    private UpstreamSession statelessFirst(ServerDef server, ObjectNode clientInit, Map<String, String> headers) {
        UpstreamSession modern = statelessIfSpoken(server, clientInit, headers);
        return modern != null ? modern : session2025(server, clientInit, headers);
    }

    /** A 2025 session when the server keeps one, else the stateless generation when it speaks it. */
    private UpstreamSession sessionFirst(ServerDef server, ObjectNode clientInit, Map<String, String> headers) {
        StreamableHttpUpstream legacy;
        try {
            legacy = session2025(server, clientInit, headers);
        } catch (UpstreamException refused) {
            UpstreamSession modern = statelessIfSpoken(server, clientInit, headers);
            if (modern == null) {
                throw refused;
            }
            return modern;
        }
        if (legacy.keepsSession()) {
            sessionless.remove(server.id());
            return legacy;
        }
        UpstreamSession modern;
        try {
            modern = statelessIfSpoken(server, clientInit, headers);
        } catch (RuntimeException e) {
            legacy.close();
            throw e;
        }
        if (modern == null) {
            return legacy;
        }
        sessionless.put(server.id(), server);
        legacy.close();
        return modern;
    }

    private StreamableHttpUpstream session2025(ServerDef server, ObjectNode clientInit, Map<String, String> headers) {
        StreamableHttpUpstream s = new StreamableHttpUpstream(config(server, clientInit, headers));
        try {
            s.open();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /**
     * A session with a server that speaks the stateless generation (2026-07-28), found out with
     * {@code server/discover}; null when it speaks 2025 (then the caller does the handshake).
     */
    private UpstreamSession statelessIfSpoken(ServerDef server, ObjectNode clientInit, Map<String, String> headers) {
        Generation known = generations.get(server.id());
        boolean fresh = known != null && known.server().equals(server);
        if (fresh && !known.stateless() && known.seen().isAfter(Instant.now().minus(Duration.ofMinutes(10)))) {
            return null;
        }
        HttpUpstreamConfig config = config(server, clientInit, headers);
        ObjectNode discover = GenerationProbe.discover(config);
        generations.put(server.id(), new Generation(server, discover != null, Instant.now()));
        if (discover == null) {
            return null;
        }
        StatelessHttpUpstream s = new StatelessHttpUpstream(config, discover);
        s.open();
        return s;
    }

    /** Whether sessions with this server are shared by all clients (so closing one must not stop it). */
    public static boolean shared(ServerDef server) {
        return server.transport() == gatehouse.catalog.Transport.STDIO;
    }

    private StdioUpstream sharedStdio(ServerDef server) {
        StdioUpstream s = startStdio(server);
        if (!s.isAlive()) {
            // The first start may take a while (npx, a JVM); later, fail fast while it restarts.
            Instant deadline = Instant.now().plus(props.mcp().stdioStartTimeout());
            while (!s.isAlive() && Instant.now().isBefore(deadline) && s.startedRecently()) {
                sleep(50);
            }
            if (!s.isAlive()) {
                throw new UpstreamException(s.unavailableReason());
            }
        }
        return s;
    }

    /** Starts a stdio server's shared process if it is not running; does not wait for it. */
    private StdioUpstream startStdio(ServerDef server) {
        return stdio.computeIfAbsent(server.id(), id -> {
            StdioUpstream created = watched(newStdio(server));
            created.start();
            return created;
        });
    }

    private StdioUpstream newStdio(ServerDef server) {
        return new StdioUpstream(server, () -> StdioLaunch.of(server.command(), server.env(), System.getenv(),
                stdioProps, stdioRoot, server.id(), Path.of(props.dataDir())), ownInitParams(),
                props.mcp().stdioStartTimeout(), props.mcp().maxUpstreamMessageBytes());
    }

    private StdioUpstream watched(StdioUpstream s) {
        ServerHealthBoard board = health;
        if (board != null) {
            ServerDef server = s.server();
            board.starting(server, "starting its process");
            s.watch(new StdioUpstream.Watcher() {
                @Override
                public void up() {
                    board.reachable(server);
                }

                @Override
                public void down(String reason) {
                    board.unreachable(server, reason);
                }
            });
        }
        return s;
    }

    /** Starts a stdio server's shared process if it is not running (health checks; the process then reports how it fares). */
    public void ensureStarted(ServerDef server) {
        if (server.transport() == gatehouse.catalog.Transport.STDIO) {
            startStdio(server);
        }
    }

    /** Whether this stdio server's process is being supervised now. */
    public boolean running(String serverId) {
        return stdio.containsKey(serverId);
    }

    /** The HTTP client upstream sessions use (same timeouts, no redirects). */
    HttpClient http() {
        return http;
    }

    GatehouseProperties props() {
        return props;
    }

    public List<String> stderr(String serverId) {
        StdioUpstream s = stdio.get(serverId);
        return s == null ? List.of() : s.stderrTail();
    }

    @Override
    public void onCatalogChange(CatalogSnapshot previous, CatalogSnapshot current) {
        for (var e : stdio.entrySet()) {
            ServerDef now = current.servers().get(e.getKey());
            if (now == null || !now.equals(e.getValue().server())) {
                log.info("stdio server {} was changed or removed; stopping its process", e.getValue().server().name());
                StdioUpstream old = stdio.remove(e.getKey());
                if (old != null) {
                    Thread.ofVirtual().start(old::close);
                }
            }
        }
    }

    @Override
    public Optional<Set<String>> toolNames(ServerDef server) {
        UpstreamSession s = null;
        try {
            s = connect(server, ownInitParams());
            return Optional.of(s.list("tools", props.mcp().connectTimeout()).valueStream()
                    .map(t -> t.path("name").asString()).collect(Collectors.toSet()));
        } catch (RuntimeException e) {
            return Optional.empty();
        } finally {
            if (s != null && !shared(server)) {
                s.close();
            }
        }
    }

    @Override
    public void destroy() {
        stdio.values().parallelStream().forEach(StdioUpstream::close);
        stdio.clear();
        messages.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
