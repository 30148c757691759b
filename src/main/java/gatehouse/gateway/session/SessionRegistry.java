package gatehouse.gateway.session;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import gatehouse.catalog.CatalogListener;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Ids;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every downstream session of this process, with idle expiry. Sessions are also written to the
 * database ({@link SessionStore}): an id this process does not hold is looked up there and, when it
 * belongs to the caller's connection, carried on here with its upstream sessions re-attached, so a
 * client whose replica died (or restarted) continues without initializing again.
 */
@Component
@org.springframework.boot.context.properties.EnableConfigurationProperties(SessionLimits.class)
public class SessionRegistry implements CatalogListener, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private final Map<String, DownstreamSession> sessions = new ConcurrentHashMap<>();
    private final Upstreams upstreams;
    private final GatehouseProperties props;
    private final int maxSessionsPerConnection;
    private final BoundAlerts bounds;

    private final SessionLimits limits;
    /** Null when sessions are kept in memory only ({@code gatehouse.mcp.persist-sessions=false}). */
    private final SessionStore store;
    /** When each session's use was last written to the store. */
    private final Map<String, Instant> lastSeenStored = new ConcurrentHashMap<>();

    public SessionRegistry(Upstreams upstreams, GatehouseProperties props,
                           @Value("${gatehouse.mcp.max-sessions-per-connection:100}") int maxSessionsPerConnection, BoundAlerts bounds,
                           SessionLimits limits, SessionStore store,
                           @Value("${gatehouse.mcp.persist-sessions:true}") boolean persist) {
        this.store = persist ? store : null;
        this.limits = limits;
        this.upstreams = upstreams;
        this.props = props;
        this.bounds = bounds;
        this.maxSessionsPerConnection = Math.max(1, maxSessionsPerConnection);
    }

    public DownstreamSession create(Connection connection, String protocolVersion, ObjectNode clientInit) {
        if (sessions.size() >= props.mcp().maxSessions()) {
            sweep();
            if (sessions.size() >= props.mcp().maxSessions()) {
                bounds.reached("gatehouse.mcp.max-sessions", props.mcp().maxSessions(), "replica", null,
                        "This replica holds " + props.mcp().maxSessions() + " client sessions (the limit); new sessions get HTTP 503 "
                                + "until idle ones expire. Connection " + connection.id() + " was refused");
                throw new SessionLimitException();
            }
        }
        evictBeyondPerConnectionLimit(connection.id());
        DownstreamSession s = new DownstreamSession(Ids.random(32), connection.id(), connection.gatewayId(), protocolVersion,
                clientInit, upstreams, limits, bounds);
        sessions.put(s.id(), s);
        persist(s);
        return s;
    }

    private void persist(DownstreamSession s) {
        if (store != null) {
            lastSeenStored.put(s.id(), s.lastSeen());
            s.onChange(() -> store.save(s));
            store.created(s);
        }
    }

    /**
     * A session this process does not hold, carried on from the database when it exists and is
     * the caller's (same connection, same gateway); null otherwise, exactly as for a missing one.
     */
    private DownstreamSession resume(String id, Connection connection) {
        if (store == null || id.length() > 128) {
            return null;
        }
        SessionStore.Stored stored = store.load(id).orElse(null);
        if (stored == null || !stored.connectionId().equals(connection.id()) || !stored.gatewayId().equals(connection.gatewayId())) {
            return null;
        }
        if (sessions.size() >= props.mcp().maxSessions()) {
            sweep();
            if (sessions.size() >= props.mcp().maxSessions()) {
                throw new SessionLimitException();
            }
        }
        DownstreamSession s = new DownstreamSession(id, stored.connectionId(), stored.gatewayId(), stored.protocolVersion(),
                stored.clientInit(), upstreams, false, limits, bounds, stored.upstreams(), System.currentTimeMillis());
        DownstreamSession raced = sessions.putIfAbsent(id, s);
        if (raced != null) {
            return raced; // another request for it got here first; ours opened nothing
        }
        if (store.ended(id)) {
            sessions.remove(id, s); // ended while it was being read: ended is ended
            s.close();
            return null;
        }
        s.resumed(true);
        lastSeenStored.put(id, s.lastSeen());
        s.onChange(() -> store.save(s));
        log.info("session carried on from the database for connection {} ({} upstream sessions to re-attach)", connection.id(),
                stored.upstreams().size());
        return s;
    }

    /**
     * One token must not fill the whole table and lock every other connection out: past the
     * per-connection limit, that connection's least recently used session is closed (its client
     * gets 404 and initializes again, as the protocol expects).
     */
    private void evictBeyondPerConnectionLimit(String connectionId) {
        int limit = maxSessionsPerConnection;
        List<DownstreamSession> mine = sessions.values().stream().filter(s -> s.connectionId().equals(connectionId))
                .sorted(java.util.Comparator.comparing(DownstreamSession::lastSeen)).toList();
        if (mine.size() >= limit) {
            bounds.reached("gatehouse.mcp.max-sessions-per-connection", limit, connectionId, mine.getFirst().gatewayId(),
                    "Connection " + connectionId + " opened more than " + limit + " sessions; its least recently used ones are closed");
        }
        for (int i = 0; i <= mine.size() - limit; i++) {
            log.info("connection {} holds {} sessions (limit {}); closing its least recently used one", connectionId, mine.size(), limit);
            terminate(mine.get(i).id());
        }
    }

    /** The session, or null when it is unknown, terminated, expired or belongs to another connection. */
    public DownstreamSession find(String id, Connection connection) {
        DownstreamSession s = id == null ? null : sessions.get(id);
        if (s == null && id != null) {
            s = resume(id, connection);
        }
        if (s == null || s.closed() || !s.connectionId().equals(connection.id())) {
            return null;
        }
        s.touch();
        return s;
    }

    public boolean terminate(String id) {
        if (store != null && sessions.containsKey(id)) {
            store.remove(id); // marked ended before it leaves the map: a request in between must not carry it on from its row
        }
        DownstreamSession s = sessions.remove(id);
        if (s == null) {
            return false;
        }
        s.close();
        lastSeenStored.remove(id);
        return true;
    }

    public int size() {
        return sessions.size();
    }

    /** The open sessions of one gateway at this moment. */
    public java.util.List<DownstreamSession> sessionsOf(String gatewayId) {
        return sessions.values().stream().filter(s -> !s.closed() && s.gatewayId().equals(gatewayId)).toList();
    }

    @Scheduled(fixedDelay = 60_000)
    public void sweep() {
        Instant cutoff = Instant.now().minus(props.mcp().sessionIdleTimeout());
        sessions.values().removeIf(s -> {
            if (s.lastSeen().isBefore(cutoff)) {
                log.debug("session {} idle since {}; closing", s.id(), s.lastSeen());
                s.close();
                lastSeenStored.remove(s.id());
                return true;
            }
            return false;
        });
        if (store != null) {
            // Another replica may have carried one of these sessions on and keep it in use: the row
            // goes only when no replica has recorded a use within the timeout.
            Map<String, Instant> used = new java.util.HashMap<>();
            for (DownstreamSession s : sessions.values()) {
                Instant stored = lastSeenStored.get(s.id());
                if (stored != null && s.lastSeen().isAfter(stored)) {
                    used.put(s.id(), s.lastSeen());
                    lastSeenStored.put(s.id(), s.lastSeen());
                }
            }
            store.touched(used);
            int purged = store.purgeIdle(cutoff);
            if (purged > 0) {
                log.debug("{} stored sessions idle since before {} removed", purged, cutoff);
            }
        }
    }

    /**
     * A disabled connection loses its open streams at once; a deleted one loses its sessions. When a
     * gateway's view changed (its settings, assignments or their servers), its sessions hear that
     * every list may have changed, on their GET streams, as the stateless listeners do.
     */
    @Override
    public void onCatalogChange(CatalogSnapshot previous, CatalogSnapshot current) {
        Map<String, Boolean> changed = new java.util.HashMap<>();
        for (DownstreamSession s : sessions.values()) {
            Connection c = current.connectionsById().get(s.connectionId());
            if (c == null || !current.gateways().containsKey(s.gatewayId())) {
                terminate(s.id());
            } else if (!c.enabled()) {
                s.closeStreams();
            } else if (previous != null
                    && changed.computeIfAbsent(s.gatewayId(), g -> !StatelessSessions.sameView(previous, current, g))) {
                for (String kind : List.of("tools", "prompts", "resources")) {
                    s.deliver(null, JsonRpc.notification("notifications/" + kind + "/list_changed", null));
                }
            }
        }
    }

    /**
     * Shutdown begins: end every open GET stream now. Graceful shutdown waits for active requests,
     * and a standalone stream stays active for as long as its client listens, so without this
     * every shutdown with a connected client would take the whole grace period.
     */
    @EventListener(ContextClosedEvent.class)
    public void closeStreamsOnShutdown() {
        sessions.values().forEach(DownstreamSession::closeStreams);
    }

    /**
     * Shutdown: with the store, sessions are left, not ended: their state is written and their
     * upstream sessions stay open, so another replica (or this one restarted) carries them on.
     */
    @Override
    public void destroy() {
        leaveAll();
    }

    /** Lets go of every session here, as at shutdown (a restart, in tests). */
    void leaveAll() {
        if (store != null) {
            store.flush();
            sessions.values().forEach(DownstreamSession::leave);
        } else {
            sessions.values().forEach(DownstreamSession::close);
        }
        sessions.clear();
        lastSeenStored.clear();
    }
}
