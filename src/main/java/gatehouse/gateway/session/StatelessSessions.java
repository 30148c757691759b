package gatehouse.gateway.session;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogListener;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.features.FeaturesChanged;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.ProtocolVersions;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Ids;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stateless (2026-07-28) clients have no session, but their upstreams may: each connection gets one
 * hidden stand-in {@link DownstreamSession}, created on its first stateless request, that holds the
 * upstream sessions every later request of that connection reuses (so routing and the upstream call
 * work as for a 2025 session). It is never shown to the client; when it is lost (idle expiry, another
 * replica, a restart) the next request simply builds a new one, so any replica can serve any request.
 *
 * <p>The stand-in's upstream sessions declare every client capability (sampling, elicitation, roots):
 * a stateless client declares its capabilities per request, so Gatehouse checks each server request
 * against the capabilities of the request it belongs to instead.
 *
 * <p>Also here: the connection's {@code subscriptions/listen} streams, which receive upstream list
 * changes and resource updates, and a list change whenever the gateway's configuration changes.
 */
@Component
public class StatelessSessions implements CatalogListener, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(StatelessSessions.class);

    /** One open subscriptions/listen stream. */
    public interface Listener {
        /** The honoured filter (as acknowledged). */
        ObjectNode filter();

        /** Writes one notification; false when the stream is gone. */
        boolean send(ObjectNode notification);
    }

    private final Map<String, DownstreamSession> byConnection = new ConcurrentHashMap<>();
    private final Map<String, Set<Listener>> listeners = new ConcurrentHashMap<>();
    private final Upstreams upstreams;
    private final GatehouseProperties props;

    private final SessionLimits limits;
    private final BoundAlerts bounds;

    public StatelessSessions(Upstreams upstreams, GatehouseProperties props, SessionLimits limits, BoundAlerts bounds) {
        this.limits = limits;
        this.bounds = bounds;
        this.upstreams = upstreams;
        this.props = props;
    }

    /** The connection's stand-in session, created on first use or after it was lost. */
    public DownstreamSession forConnection(Connection connection, ObjectNode meta) {
        DownstreamSession s = byConnection.compute(connection.id(), (k, old) -> {
            if (old != null && !old.closed() && old.gatewayId().equals(connection.gatewayId())) {
                return old;
            }
            if (old != null) {
                old.close();
            }
            DownstreamSession created = new DownstreamSession("stateless-" + Ids.random(24), connection.id(),
                    connection.gatewayId(), ProtocolVersions.LATEST_STATELESS, upstreamInit(meta), upstreams, true, limits, bounds);
            created.onUnsolicited(m -> fanOut(connection.id(), m));
            return created;
        });
        s.touch();
        return s;
    }

    /** Initialize parameters for the stand-in's upstream sessions: every capability, the first client's name. */
    public static ObjectNode upstreamInit(ObjectNode meta) {
        ObjectNode init = Upstreams.ownInitParams();
        ObjectNode caps = init.putObject("capabilities");
        caps.putObject("sampling");
        ObjectNode elicitation = caps.putObject("elicitation");
        elicitation.putObject("form");
        elicitation.putObject("url");
        caps.putObject("roots").put("listChanged", true);
        JsonNode info = meta == null ? null : meta.get(StatelessEnvelope.CLIENT_INFO);
        if (info instanceof ObjectNode i && i.path("name").isString()) {
            ObjectNode clientInfo = i.deepCopy();
            clientInfo.put("name", i.get("name").stringValue() + " (via gatehouse)");
            init.set("clientInfo", clientInfo);
        }
        return init;
    }

    // --- subscriptions/listen

    public void addListener(String connectionId, Listener l) {
        listeners.computeIfAbsent(connectionId, k -> new CopyOnWriteArraySet<>()).add(l);
    }

    /** How many listen streams the connection holds open. */
    public int listenerCount(String connectionId) {
        return listeners.getOrDefault(connectionId, Set.of()).size();
    }

    public void removeListener(String connectionId, Listener l) {
        listeners.computeIfPresent(connectionId, (k, set) -> {
            set.remove(l);
            return set.isEmpty() ? null : set;
        });
    }

    /** Whether a listen filter lets {@code notification} through. */
    public static boolean accepts(ObjectNode filter, ObjectNode notification) {
        return switch (Objects.requireNonNullElse(JsonRpc.method(notification), "")) {
            case "notifications/tools/list_changed" -> filter.path("toolsListChanged").asBoolean(false);
            case "notifications/prompts/list_changed" -> filter.path("promptsListChanged").asBoolean(false);
            case "notifications/resources/list_changed" -> filter.path("resourcesListChanged").asBoolean(false);
            case "notifications/resources/updated" -> {
                String uri = notification.path("params").path("uri").asString("");
                for (JsonNode u : filter.path("resourceSubscriptions")) {
                    if (uri.equals(u.asString(null))) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> false;
        };
    }

    /** URIs some listener of the connection subscribed to. */
    public boolean subscribed(String connectionId, String uri) {
        for (Listener l : listeners.getOrDefault(connectionId, Set.of())) {
            for (JsonNode u : l.filter().path("resourceSubscriptions")) {
                if (uri.equals(u.asString(null))) {
                    return true;
                }
            }
        }
        return false;
    }

    private void fanOut(String connectionId, ObjectNode message) {
        for (Listener l : listeners.getOrDefault(connectionId, Set.of())) {
            if (accepts(l.filter(), message) && !l.send(message.deepCopy())) {
                removeListener(connectionId, l);
            }
        }
    }

    // --- lifecycle

    @Scheduled(fixedDelay = 60_000)
    public void sweep() {
        Instant cutoff = Instant.now().minus(props.mcp().sessionIdleTimeout());
        byConnection.values().removeIf(s -> {
            if (s.lastSeen().isBefore(cutoff) && listeners.getOrDefault(s.connectionId(), Set.of()).isEmpty()) {
                log.debug("stateless stand-in {} of connection {} idle since {}; closing", s.id(), s.connectionId(), s.lastSeen());
                s.close();
                return true;
            }
            return false;
        });
    }

    /**
     * A deleted connection or gateway loses its stand-in; a gateway whose assignments changed tells
     * its listeners that every list may have changed (the provisioned view is not what they cached).
     */
    @Override
    public void onCatalogChange(CatalogSnapshot previous, CatalogSnapshot current) {
        for (DownstreamSession s : byConnection.values()) {
            Connection c = current.connectionsById().get(s.connectionId());
            if (c == null || !c.gatewayId().equals(s.gatewayId()) || !current.gateways().containsKey(s.gatewayId())) {
                byConnection.remove(s.connectionId(), s);
                s.close();
            }
        }
        for (String connectionId : listeners.keySet()) {
            Connection before = previous == null ? null : previous.connectionsById().get(connectionId);
            Connection now = current.connectionsById().get(connectionId);
            if (now == null || !now.enabled()) {
                listeners.remove(connectionId); // their streams end at the next tick
                continue;
            }
            if (previous == null || before == null || !sameView(previous, current, now.gatewayId())) {
                for (String kind : List.of("tools", "prompts", "resources")) {
                    fanOut(connectionId, JsonRpc.notification("notifications/" + kind + "/list_changed", Json.object()));
                }
            }
        }
    }

    /** Whether a gateway exposes the same in both snapshots: its settings, assignments and their servers. */
    static boolean sameView(CatalogSnapshot a, CatalogSnapshot b, String gatewayId) {
        if (!Objects.equals(a.gateways().get(gatewayId), b.gateways().get(gatewayId))) {
            return false;
        }
        List<Assignment> x = a.assignments(gatewayId);
        List<Assignment> y = b.assignments(gatewayId);
        if (!x.equals(y)) {
            return false;
        }
        for (Assignment as : y) {
            if (!Objects.equals(a.servers().get(as.serverId()), b.servers().get(as.serverId()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Provisioning changed what a gateway exposes (a tool quarantined, approved, disabled): the
     * stand-ins of its connections drop the cached lists of those servers, and their listen streams
     * hear that the lists changed.
     */
    @EventListener
    public void featuresChanged(FeaturesChanged event) {
        for (DownstreamSession s : byConnection.values()) {
            if (!s.gatewayId().equals(event.gatewayId())) {
                continue;
            }
            for (String serverId : event.serverIds()) {
                UpstreamSession up = s.openUpstream(serverId);
                if (up != null) {
                    up.invalidateLists();
                }
            }
        }
        Set<String> methods = new java.util.LinkedHashSet<>();
        for (FeatureKind k : event.kinds()) {
            methods.add(k.listChangedMethod());
        }
        for (String connectionId : listeners.keySet()) {
            DownstreamSession s = byConnection.get(connectionId);
            if (s != null && s.gatewayId().equals(event.gatewayId())) {
                methods.forEach(m -> fanOut(connectionId, JsonRpc.notification(m, Json.object())));
            }
        }
    }

    /** What people see of these gateways changed (a team's subsets or memberships): listen streams hear it. */
    @EventListener
    public void accessChanged(gatehouse.identity.Directory.AccessChanged event) {
        for (String connectionId : listeners.keySet()) {
            DownstreamSession s = byConnection.get(connectionId);
            if (s != null && event.gatewayIds().contains(s.gatewayId())) {
                for (String kind : List.of("tools", "prompts", "resources")) {
                    fanOut(connectionId, JsonRpc.notification("notifications/" + kind + "/list_changed", Json.object()));
                }
            }
        }
    }

    /** Whether {@code l} is still registered (it is dropped when its stream broke or at shutdown). */
    public boolean listening(String connectionId, Listener l) {
        return listeners.getOrDefault(connectionId, Set.of()).contains(l);
    }

    public int size() {
        return byConnection.size();
    }

    @EventListener(ContextClosedEvent.class)
    public void endListenStreamsOnShutdown() {
        listeners.clear();
    }

    @Override
    public void destroy() {
        byConnection.values().forEach(DownstreamSession::close);
        byConnection.clear();
        listeners.clear();
    }
}
