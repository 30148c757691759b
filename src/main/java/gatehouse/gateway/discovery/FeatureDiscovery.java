package gatehouse.gateway.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogListener;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.features.Discovery;
import gatehouse.catalog.features.FeatureObservations;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.upstream.UpstreamException;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.identity.UpstreamCredentials;
import gatehouse.policy.provisioning.FeatureKind;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lists every feature of every assigned server on Gatehouse's own upstream session, fresh (never
 * from a cache), and records it for each gateway the server is assigned to. It runs when a server
 * is assigned, when the server says a list changed, when the data plane meets a server not yet
 * discovered, and every {@code gatehouse.provisioning.discovery-interval}: a hostile server does
 * not announce its changes. It presents only a shared credential: a server every gateway assigns
 * with personal identities is not listed here; the lists people's sessions receive are recorded
 * instead (by {@code FeatureGate}, with the same rug-pull comparison).
 */
@Component
public class FeatureDiscovery implements Discovery, CatalogListener, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(FeatureDiscovery.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);

    private final Upstreams upstreams;
    private final FeatureObservations features;
    private final CatalogService catalog;
    /** Sessions of our own with HTTP and SSE upstreams (a stdio server's one session is shared). */
    private final Map<String, UpstreamSession> own = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Instant> failedAt = new ConcurrentHashMap<>();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    /** Servers discovery does not list (personal identities only), so that is logged once, not every interval. */
    private final Set<String> notListed = ConcurrentHashMap.newKeySet();
    private final Set<UpstreamSession> observed = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile boolean closed;

    FeatureDiscovery(Upstreams upstreams, FeatureObservations features, CatalogService catalog) {
        this.upstreams = upstreams;
        this.features = features;
        this.catalog = catalog;
    }

    /** Every assigned server, listed again; servers are discovered in parallel. */
    @Scheduled(fixedDelayString = "${gatehouse.provisioning.discovery-interval:60s}",
            initialDelayString = "${gatehouse.provisioning.discovery-interval:60s}")
    public void discoverAll() {
        CatalogSnapshot snap = catalog.snapshot();
        Map<String, ServerDef> assigned = new LinkedHashMap<>();
        snap.assignmentsByGateway().values().forEach(list -> list.forEach(a -> assigned.put(a.serverId(), snap.servers().get(a.serverId()))));
        List<Thread> threads = new ArrayList<>();
        for (ServerDef server : assigned.values()) {
            if (server != null) {
                threads.add(Thread.ofVirtual().name("discover-" + server.name()).start(() -> discover(server)));
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Lists every feature of {@code server} now and records the lists for every gateway it is
     * assigned to. One discovery per server runs at a time; a caller that finds one running waits
     * for it. Returns whether the server could be listed.
     */
    @Override
    public boolean discover(ServerDef server) {
        ReentrantLock lock = locks.computeIfAbsent(server.id(), k -> new ReentrantLock());
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            List<Assignment> assignments = assignmentsOf(server.id());
            if (assignments.isEmpty()) {
                return true;
            }
            if (!Upstreams.shared(server) && upstreams.credentials().forDiscovery(server) instanceof UpstreamCredentials.Unusable u) {
                // Only people's own credentials reach it: what their sessions list is recorded instead.
                if (notListed.add(server.id())) {
                    log.info("discovery of server {} skipped: {}", server.name(), u.reason());
                }
                return false;
            }
            notListed.remove(server.id());
            Map<FeatureKind, List<FeatureObservations.Listed>> lists = list(server);
            for (Assignment a : assignments) {
                features.observe(a.gatewayId(), server.id(), lists, true);
            }
            failedAt.remove(server.id());
            return true;
        } catch (RuntimeException e) {
            failedAt.put(server.id(), Instant.now());
            UpstreamSession s = own.remove(server.id());
            if (s != null) {
                s.close();
            }
            log.info("discovery of server {} failed: {}", server.name(), e.getMessage());
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** A server Gatehouse could not list for want of a credential is listed as soon as one is stored. */
    @EventListener
    void credentialAdded(gatehouse.identity.CredentialAdded added) {
        ServerDef server = catalog.snapshot().servers().get(added.serverId());
        if (server != null) {
            discover(server);
        }
    }

    /**
     * For the data plane, which met a server not yet discovered: discovers it now, unless an
     * attempt failed moments ago (then the caller goes on with what it has).
     */
    @Override
    public void discoverNow(ServerDef server) {
        Instant failed = failedAt.get(server.id());
        if (failed != null && failed.plus(RETRY_AFTER_FAILURE).isAfter(Instant.now())) {
            return;
        }
        discover(server);
    }

    /** Discovers in the background, soon; requests that arrive while one is queued join it. */
    @Override
    public void discoverSoon(ServerDef server) {
        if (closed || !queued.add(server.id())) {
            return;
        }
        Thread.ofVirtual().name("discover-" + server.name()).start(() -> {
            try {
                Thread.sleep(100); // several list_changed notifications in a row make one discovery
            } catch (InterruptedException e) {
                return;
            } finally {
                queued.remove(server.id());
            }
            ServerDef current = catalog.snapshot().servers().get(server.id());
            if (current != null) {
                discover(current);
            }
        });
    }

    private List<Assignment> assignmentsOf(String serverId) {
        CatalogSnapshot snap = catalog.snapshot();
        List<Assignment> out = new ArrayList<>();
        snap.assignmentsByGateway().values().forEach(list -> list.stream().filter(a -> a.serverId().equals(serverId)).forEach(out::add));
        return out;
    }

    private Map<FeatureKind, List<FeatureObservations.Listed>> list(ServerDef server) {
        UpstreamSession up = session(server);
        // Never a cached list: a hostile server changes definitions without saying so. On a shared
        // stdio session this also refreshes what the data plane serves.
        up.invalidateLists();
        Map<FeatureKind, List<FeatureObservations.Listed>> lists = new EnumMap<>(FeatureKind.class);
        for (FeatureKind kind : FeatureKind.values()) {
            String capability = kind == FeatureKind.TOOL ? "tools" : kind == FeatureKind.PROMPT ? "prompts" : "resources";
            if (!up.hasCapability(capability)) {
                lists.put(kind, List.of());
                continue;
            }
            try {
                lists.put(kind, FeatureObservations.listed(kind, up.list(kind.listKey(), upstreams.callTimeout())));
            } catch (McpException e) {
                // timed out: this kind keeps what was recorded, the others are still compared
                log.info("discovery: server {} did not list {}: {}", server.name(), kind.listKey(), e.getMessage());
            } catch (UpstreamException e) {
                if (!e.getMessage().contains(" refused ")) {
                    throw e; // unreachable: the whole discovery failed
                }
                // A server that refuses a list it announced (say, templates) has none of that kind.
                lists.put(kind, List.of());
            }
        }
        return lists;
    }

    private UpstreamSession session(ServerDef server) {
        if (Upstreams.shared(server)) {
            UpstreamSession s = upstreams.connect(server, Upstreams.ownInitParams());
            observe(s);
            return s;
        }
        UpstreamSession s = own.get(server.id());
        if (s != null && s.isAlive() && s.server().equals(server)) {
            return s;
        }
        if (s != null) {
            own.remove(server.id());
            s.close();
        }
        s = upstreams.connect(server, initParams());
        observe(s);
        own.put(server.id(), s);
        return s;
    }

    /**
     * Discovery declares every client capability there is: servers register some tools only for
     * clients that can serve them (URL elicitation, tasks), and a tool discovery never saw would
     * later look new, and wait as pending, when a capable client lists it. No call is ever made on
     * this session, so nothing it declares is ever asked of it.
     */
    static ObjectNode initParams() {
        ObjectNode p = Upstreams.ownInitParams();
        ObjectNode caps = (ObjectNode) p.get("capabilities");
        caps.putObject("sampling");
        ObjectNode elicitation = caps.putObject("elicitation");
        elicitation.putObject("form");
        elicitation.putObject("url");
        caps.putObject("roots").put("listChanged", true);
        ObjectNode requests = caps.putObject("tasks").putObject("requests");
        requests.putObject("sampling").putObject("createMessage");
        requests.putObject("elicitation").putObject("create");
        return p;
    }

    private void observe(UpstreamSession s) {
        if (observed.add(s)) {
            String serverId = s.server().id();
            s.onListChanged(kind -> {
                ServerDef current = catalog.snapshot().servers().get(serverId);
                if (current != null) {
                    discoverSoon(current);
                }
            });
        }
    }

    /** New assignments are discovered at once; sessions of servers changed or no longer assigned are closed. */
    @Override
    public void onCatalogChange(CatalogSnapshot previous, CatalogSnapshot current) {
        Set<String> assignedNow = ConcurrentHashMap.newKeySet();
        current.assignmentsByGateway().values().forEach(list -> list.forEach(a -> assignedNow.add(a.serverId())));
        for (Map.Entry<String, UpstreamSession> e : own.entrySet()) {
            ServerDef now = current.servers().get(e.getKey());
            if (now == null || !now.equals(e.getValue().server()) || !assignedNow.contains(e.getKey())) {
                UpstreamSession s = own.remove(e.getKey());
                if (s != null) {
                    Thread.ofVirtual().start(s::close);
                }
            }
        }
        for (Map.Entry<String, List<Assignment>> e : current.assignmentsByGateway().entrySet()) {
            List<Assignment> before = previous.assignments(e.getKey());
            for (Assignment a : e.getValue()) {
                boolean isNew = before.stream().noneMatch(b -> b.serverId().equals(a.serverId()));
                ServerDef server = current.servers().get(a.serverId());
                ServerDef old = previous.servers().get(a.serverId());
                if (server != null && (isNew || !server.equals(old))) {
                    failedAt.remove(server.id());
                    discoverSoon(server);
                }
            }
        }
    }

    @Override
    public void destroy() {
        closed = true;
        own.values().forEach(UpstreamSession::close);
        own.clear();
    }
}
