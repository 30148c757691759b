package gatehouse.catalog.features;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import gatehouse.platform.Reloadable;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.ProvisioningPolicy;
import gatehouse.policy.provisioning.ProvisioningSettings;
import gatehouse.policy.provisioning.ProvisioningView;
import gatehouse.policy.provisioning.ProvisioningView.GatewayFeatures;
import gatehouse.policy.provisioning.ProvisioningView.ServerFeatures;

/**
 * The published feature inventory: the immutable {@link ProvisioningView} the data plane reads,
 * built from the database and published again after every change here, and on a schedule when
 * another replica changed something. When what a gateway exposes changed it says so
 * ({@link FeaturesChanged}). Writers of features change the database under {@link #locked} and then
 * call {@link #reloadNow}, so within a replica one change at a time is planned and written.
 */
@Service
public class FeatureViews implements Reloadable {
    private static final Logger log = LoggerFactory.getLogger(FeatureViews.class);

    private final FeatureRepository repo;
    private final ProvisioningProperties props;
    private final ApplicationEventPublisher events;
    private final AtomicLong versions = new AtomicLong();
    private volatile ProvisioningView view;
    private volatile String marker = "";

    FeatureViews(FeatureRepository repo, ProvisioningProperties props, ApplicationEventPublisher events) {
        this.repo = repo;
        this.props = props;
        this.events = events;
        // No events before the application runs: listeners may not exist yet.
        this.view = load();
        this.marker = repo.changeMarker();
    }

    /** The current view; never blocks. */
    public ProvisioningView view() {
        return view;
    }

    public ProvisioningProperties properties() {
        return props;
    }

    /** Re-reads the inventory when it changed (other replicas' changes arrive this way). */
    @Scheduled(fixedDelayString = "${gatehouse.catalog-refresh:5s}", initialDelayString = "${gatehouse.catalog-refresh:5s}")
    @Override
    public synchronized void reload() {
        try {
            String m = repo.changeMarker();
            if (!m.equals(marker)) {
                publish(load(), m);
            }
        } catch (DataAccessException e) {
            log.warn("could not reload the feature inventory: {}", e.getMessage());
        }
    }

    /** Publishes the inventory as the database has it now (after a change made in this replica). */
    synchronized void reloadNow() {
        publish(load(), repo.changeMarker());
    }

    /** Runs a change to the inventory under the one lock of its writers in this replica. */
    synchronized <T> T locked(Supplier<T> change) {
        return change.get();
    }

    private ProvisioningView load() {
        ProvisioningSettings defaults = ProvisioningSettings.defaults(props.approveOnAssign());
        Map<String, ProvisioningSettings> settings = repo.settings(props.approveOnAssign());
        Map<String, Map<String, Map<FeatureKind, Map<String, FeatureState>>>> states = new HashMap<>();
        for (FeatureRepository.StateRow r : repo.states()) {
            states.computeIfAbsent(r.gatewayId(), k -> new HashMap<>()).computeIfAbsent(r.serverId(), k -> new EnumMap<>(FeatureKind.class))
                    .computeIfAbsent(r.state().kind(), k -> new HashMap<>()).put(r.state().name(), r.state());
        }
        Map<String, Map<String, Set<FeatureKind>>> discovered = new HashMap<>();
        for (FeatureRepository.InventoryRow r : repo.inventories()) {
            discovered.computeIfAbsent(r.gatewayId(), k -> new HashMap<>()).computeIfAbsent(r.serverId(), k -> EnumSet.noneOf(FeatureKind.class))
                    .add(r.kind());
        }
        Set<String> gatewayIds = new HashSet<>(settings.keySet());
        gatewayIds.addAll(states.keySet());
        gatewayIds.addAll(discovered.keySet());
        Map<String, GatewayFeatures> gateways = new HashMap<>();
        for (String gid : gatewayIds) {
            Map<String, ServerFeatures> servers = new HashMap<>();
            Set<String> serverIds = new HashSet<>(states.getOrDefault(gid, Map.of()).keySet());
            serverIds.addAll(discovered.getOrDefault(gid, Map.of()).keySet());
            for (String sid : serverIds) {
                servers.put(sid, new ServerFeatures(discovered.getOrDefault(gid, Map.of()).getOrDefault(sid, Set.of()),
                        states.getOrDefault(gid, Map.of()).getOrDefault(sid, Map.of())));
            }
            gateways.put(gid, new GatewayFeatures(settings.getOrDefault(gid, defaults), servers));
        }
        return new ProvisioningView(versions.incrementAndGet(), defaults, gateways);
    }

    private synchronized void publish(ProvisioningView fresh, String freshMarker) {
        ProvisioningView old = view;
        view = fresh;
        marker = freshMarker;
        Set<String> gatewayIds = new HashSet<>(old.gateways().keySet());
        gatewayIds.addAll(fresh.gateways().keySet());
        for (String gid : gatewayIds) {
            Map<String, Set<FeatureKind>> changed = visibleChanges(old.gateway(gid), fresh.gateway(gid));
            if (!changed.isEmpty()) {
                Set<FeatureKind> kinds = EnumSet.noneOf(FeatureKind.class);
                changed.values().forEach(kinds::addAll);
                try {
                    events.publishEvent(new FeaturesChanged(gid, Set.copyOf(changed.keySet()), kinds));
                } catch (RuntimeException e) {
                    log.warn("gateway {}: telling sessions about changed features failed", gid, e);
                }
            }
        }
        events.publishEvent(new FeatureViewPublished(fresh)); // the tool budgets are checked again
    }

    /** Per server, the kinds whose exposed set (or exposed definition) differs between two views. */
    private static Map<String, Set<FeatureKind>> visibleChanges(GatewayFeatures before, GatewayFeatures after) {
        Map<String, Set<FeatureKind>> out = new HashMap<>();
        Set<String> servers = new HashSet<>(before.servers().keySet());
        servers.addAll(after.servers().keySet());
        for (String sid : servers) {
            for (FeatureKind kind : FeatureKind.values()) {
                if (!exposed(before, sid, kind).equals(exposed(after, sid, kind))) {
                    out.computeIfAbsent(sid, k -> EnumSet.noneOf(FeatureKind.class)).add(kind);
                }
            }
        }
        return out;
    }

    private static Set<String> exposed(GatewayFeatures g, String serverId, FeatureKind kind) {
        Set<String> out = new HashSet<>();
        for (FeatureState s : g.server(serverId).all(kind)) {
            if (ProvisioningPolicy.decide(g.settings(), s, null).exposed()) {
                out.add(s.name() + "\n" + s.approvedFingerprint());
            }
        }
        return out;
    }
}
