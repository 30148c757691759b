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

/** Every downstream session of this process, with idle expiry. */
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

    public SessionRegistry(Upstreams upstreams, GatehouseProperties props,
                           @Value("${gatehouse.mcp.max-sessions-per-connection:100}") int maxSessionsPerConnection, BoundAlerts bounds,
                           SessionLimits limits) {
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
        if (s == null || s.closed() || !s.connectionId().equals(connection.id())) {
            return null;
        }
        s.touch();
        return s;
    }

    public boolean terminate(String id) {
        DownstreamSession s = sessions.remove(id);
        if (s == null) {
            return false;
        }
        s.close();
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
                return true;
            }
            return false;
        });
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

    @Override
    public void destroy() {
        sessions.values().forEach(DownstreamSession::close);
        sessions.clear();
    }
}
