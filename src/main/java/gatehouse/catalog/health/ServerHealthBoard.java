package gatehouse.catalog.health;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;
import gatehouse.catalog.CatalogListener;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.Json;

/**
 * What each server's health is, as this replica observes it (every replica checks for itself; a
 * server one replica cannot reach is that replica's problem too). A server that becomes
 * unreachable raises one {@value #ALERT_TYPE} alert naming it, updated while the reason changes
 * and resolved when the server answers again. A changed definition starts over.
 */
@Service
public class ServerHealthBoard implements CatalogListener {
    public static final String ALERT_TYPE = "server-unreachable";
    /** A server that broke the protocol or failed calls (garbage, silence, oversized answers, stray answers or requests). */
    public static final String MISBEHAVING = "server-misbehaving";
    /** At most one alert update per server in this interval, unless a new kind of misbehaviour is seen. */
    static final java.time.Duration MISBEHAVIOUR_QUIET = java.time.Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(ServerHealthBoard.class);

    private final AlertService alerts;
    private final Clock clock;
    private final Map<String, ServerHealth> health = new ConcurrentHashMap<>();

    @Autowired
    ServerHealthBoard(AlertService alerts) {
        this(alerts, Clock.systemUTC());
    }

    ServerHealthBoard(AlertService alerts, Clock clock) {
        this.alerts = alerts;
        this.clock = clock;
    }

    private final java.util.List<java.util.function.Consumer<String>> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** {@code watcher} hears the id of every server whose health was observed (metrics register a gauge for it). */
    public void watch(java.util.function.Consumer<String> watcher) {
        watchers.add(watcher);
    }

    private void observed(String serverId) {
        for (var w : watchers) {
            try {
                w.accept(serverId);
            } catch (RuntimeException e) {
                log.debug("health watcher failed: {}", e.toString());
            }
        }
    }

    public ServerHealth of(String serverId) {
        return health.getOrDefault(serverId, ServerHealth.unknown("not contacted yet"));
    }

    /** The server answered. */
    public void reachable(ServerDef server) {
        Instant now = clock.instant();
        ServerHealth before = health.get(server.id());
        ServerHealth after = before != null && before.state() == ServerHealth.State.OK ? new ServerHealth(ServerHealth.State.OK, null,
                before.since(), now) : new ServerHealth(ServerHealth.State.OK, null, now, now);
        health.put(server.id(), after);
        observed(server.id());
        if (before == null || before.state() == ServerHealth.State.FAILING) {
            // also at the first contact after a restart: an alert from before may still be open
            if (alerts.resolve(ALERT_TYPE, about(server)) > 0) {
                log.info("server {} is reachable again", server.name());
            }
        }
    }

    /** A process is being started (or restarted) and has not answered yet. */
    public void starting(ServerDef server, String reason) {
        ServerHealth before = health.get(server.id());
        if (before != null && before.state() == ServerHealth.State.FAILING) {
            return; // a restart after a failure stays failing until the server answers
        }
        Instant since = before != null && before.state() == ServerHealth.State.STARTING && before.since() != null ? before.since() : clock.instant();
        health.put(server.id(), new ServerHealth(ServerHealth.State.STARTING, reason, since, before == null ? null : before.lastContactAt()));
    }

    /** The server could not be reached, or its process failed; {@code reason} says why in words an administrator can act on. */
    public void unreachable(ServerDef server, String reason) {
        Instant now = clock.instant();
        ServerHealth before = health.get(server.id());
        boolean wasFailing = before != null && before.state() == ServerHealth.State.FAILING;
        health.put(server.id(), new ServerHealth(ServerHealth.State.FAILING, reason, wasFailing ? before.since() : now,
                before == null ? null : before.lastContactAt()));
        observed(server.id());
        if (!wasFailing || !reason.equals(before.reason())) {
            if (!wasFailing) {
                log.warn("server {} is unreachable: {}", server.name(), reason);
            }
            var details = Json.object().put("serverName", server.name()).put("transport", server.transport().wire()).put("reason", reason);
            alerts.raiseOnce(ALERT_TYPE, Alert.WARNING, "server " + server.name(), "server '" + server.name() + "' is unreachable: " + reason,
                    about(server), details);
        }
    }

    private record Conduct(java.util.Set<String> kinds, Instant reported) {
    }

    private final Map<String, Conduct> conduct = new ConcurrentHashMap<>();

    /**
     * The server broke the protocol or failed a call ({@code kind}: a short word such as silence,
     * malformed, oversized). One {@value #MISBEHAVING} alert per server, naming every kind seen and
     * the latest case; updated when a new kind appears and at most once a minute otherwise, so a
     * flood costs no more than one database write a minute. An administrator resolves it.
     */
    public void misbehaved(ServerDef server, String kind, String said) {
        String what = gatehouse.platform.LogSafe.text(said);
        Instant now = clock.instant();
        boolean[] report = {false};
        Conduct after = conduct.compute(server.id(), (id, before) -> {
            java.util.Set<String> kinds = new java.util.TreeSet<>(before == null ? java.util.Set.of() : before.kinds());
            boolean fresh = kinds.add(kind);
            if (before == null || fresh || before.reported().plus(MISBEHAVIOUR_QUIET).isBefore(now)) {
                report[0] = true;
                return new Conduct(java.util.Collections.unmodifiableSet(kinds), now);
            }
            return before;
        });
        if (!report[0]) {
            return;
        }
        log.warn("server {} misbehaved ({}): {}", server.name(), kind, gatehouse.platform.LogSafe.text(what));
        var details = Json.object().put("serverName", server.name()).put("latestKind", kind).put("latest", what);
        var kinds = details.putArray("kinds");
        after.kinds().forEach(kinds::add);
        alerts.raiseOnce(MISBEHAVING, Alert.WARNING, "server " + server.name(), "server '" + server.name() + "' misbehaved ("
                + String.join(", ", after.kinds()) + "); latest: " + what, about(server), details);
    }

    @Override
    public void onCatalogChange(CatalogSnapshot previous, CatalogSnapshot current) {
        conduct.keySet().removeIf(id -> !current.servers().containsKey(id));
        for (String id : health.keySet()) {
            ServerDef now = current.servers().get(id);
            ServerDef was = previous == null ? null : previous.servers().get(id);
            if (now == null || (was != null && !was.equals(now))) {
                ServerHealth dropped = health.remove(id);
                if (dropped != null && dropped.state() == ServerHealth.State.FAILING && was != null) {
                    alerts.resolve(ALERT_TYPE, about(was)); // removed or redefined: the old definition's alert is moot
                }
            }
        }
    }

    private static AlertService.About about(ServerDef server) {
        return new AlertService.About(null, server.id(), null);
    }
}
