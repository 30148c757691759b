package gatehouse.catalog.features;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;
import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.Json;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureSnapshots;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.FeatureStatus;
import gatehouse.policy.provisioning.Observation;
import gatehouse.policy.provisioning.ProvisioningPolicy;
import gatehouse.policy.provisioning.ProvisioningView;
import gatehouse.policy.provisioning.ProvisioningView.GatewayFeatures;
import gatehouse.policy.provisioning.ProvisioningView.ServerFeatures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records what servers list, from discovery and from the data plane: new features (pending or
 * approved), changed definitions (a change to an approved one is a rug pull: quarantined, with a
 * {@code rug-pull} alert and the diff), features gone and back. Planned first against the view
 * without a lock or the database, so the common case (nothing new) costs map look-ups.
 */
@Service
public class FeatureObservations {
    private static final Logger log = LoggerFactory.getLogger(FeatureObservations.class);
    public static final String RUG_PULL = "rug-pull";
    public static final String PENDING_FEATURES = "feature-pending";

    private final FeatureRepository repo;
    private final AlertService alerts;
    private final CatalogService catalog;
    private final FeatureViews views;
    private final TransactionTemplate tx;

    FeatureObservations(FeatureRepository repo, AlertService alerts, CatalogService catalog, FeatureViews views,
                        PlatformTransactionManager transactions) {
        this.repo = repo;
        this.alerts = alerts;
        this.catalog = catalog;
        this.views = views;
        this.tx = new TransactionTemplate(transactions);
    }

    /** One listed item: its identity, approval snapshot and fingerprint. */
    public record Listed(String key, String fingerprint, ObjectNode snapshot) {
        public static Listed of(FeatureKind kind, JsonNode item) {
            String key = FeatureSnapshots.key(kind, item);
            if (key == null) {
                return null;
            }
            ObjectNode snapshot = FeatureSnapshots.snapshot(kind, item);
            return new Listed(key, FeatureSnapshots.fingerprint(snapshot), snapshot);
        }
    }

    /** Every item of a list with an identity (items without a name, URI or template are left out). */
    public static List<Listed> listed(FeatureKind kind, ArrayNode items) {
        List<Listed> out = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            Listed l = Listed.of(kind, item);
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    private sealed interface Action {
    }

    private record AddNew(FeatureKind kind, Listed item, FeatureStatus status) implements Action {
    }

    private record Change(FeatureState state, Listed item, FeatureStatus status, boolean rugPull) implements Action {
    }

    private record Presence(FeatureState state, boolean present) implements Action {
    }

    private record FirstListing(FeatureKind kind) implements Action {
    }

    /**
     * Records what one server listed for one gateway. {@code authoritative} lists come fresh from
     * discovery: they also mark features that disappeared and count as the first listing of their
     * kind. Lists from the data plane may come from a cache, so they only add and change features.
     * Never throws: a failure to record is logged, and the data plane still hides what differs
     * from the approved snapshot. Returns false when something to record could not be recorded
     * (the same lists must then be observed again, not taken as seen).
     */
    public boolean observe(String gatewayId, String serverId, Map<FeatureKind, List<Listed>> lists, boolean authoritative) {
        if (plan(views.view(), gatewayId, serverId, lists, authoritative).isEmpty()) {
            return true; // the common case: nothing new, no lock, no database
        }
        try {
            applyObservation(gatewayId, serverId, lists, authoritative);
            return true;
        } catch (RuntimeException e) {
            log.warn("gateway {}: could not record features of server {}: {}", gatewayId, serverId, e.toString());
            try {
                views.reloadNow(); // e.g. another replica recorded the same feature first
            } catch (RuntimeException ignored) {
                // the scheduled reload will try again
            }
            return false;
        }
    }

    private List<Action> plan(ProvisioningView v, String gatewayId, String serverId, Map<FeatureKind, List<Listed>> lists,
                              boolean authoritative) {
        GatewayFeatures g = v.gateway(gatewayId);
        ServerFeatures sf = g.server(serverId);
        List<Action> actions = new ArrayList<>();
        for (Map.Entry<FeatureKind, List<Listed>> e : lists.entrySet()) {
            FeatureKind kind = e.getKey();
            boolean first = !sf.discovered(kind);
            Set<String> seen = new HashSet<>();
            for (Listed item : e.getValue()) {
                if (!seen.add(item.key())) {
                    continue; // a server listing the same name twice: the first one counts
                }
                FeatureState state = sf.get(kind, item.key());
                switch (ProvisioningPolicy.observe(g.settings(), state, item.fingerprint(), first, authoritative)) {
                    case Observation.New n -> actions.add(new AddNew(kind, item, n.status()));
                    case Observation.Changed c -> actions.add(new Change(state, item, c.status(), c.rugPull()));
                    case Observation.Unchanged u -> {
                        if (authoritative && !state.present()) {
                            actions.add(new Presence(state, true));
                        }
                    }
                    case Observation.Stale s -> { }
                }
            }
            if (authoritative) {
                for (FeatureState s : sf.all(kind)) {
                    if (s.present() && !s.placeholder() && !seen.contains(s.name())) {
                        actions.add(new Presence(s, false));
                    }
                }
            }
            if (first && (authoritative || !e.getValue().isEmpty())) {
                actions.add(new FirstListing(kind));
            }
        }
        return actions;
    }

    private void applyObservation(String gatewayId, String serverId, Map<FeatureKind, List<Listed>> lists, boolean authoritative) {
        views.locked(() -> {
            applyLocked(gatewayId, serverId, lists, authoritative);
            return null;
        });
    }

    private void applyLocked(String gatewayId, String serverId, Map<FeatureKind, List<Listed>> lists, boolean authoritative) {
        CatalogSnapshot snap = catalog.snapshot();
        Assignment assignment = snap.assignments(gatewayId).stream().filter(a -> a.serverId().equals(serverId)).findFirst().orElse(null);
        if (assignment == null) {
            return; // unassigned meanwhile
        }
        views.reload(); // another replica may have recorded some of it already
        List<Action> actions = plan(views.view(), gatewayId, serverId, lists, authoritative); // again, under the lock
        if (actions.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        List<RugPull> rugPulls = new ArrayList<>();
        List<AddNew> pending = new ArrayList<>();
        tx.executeWithoutResult(status -> {
            for (Action a : actions) {
                switch (a) {
                    case AddNew n -> {
                        repo.saveNew(FeatureRepository.featureId(gatewayId, serverId, n.kind(), n.item().key()), gatewayId, serverId,
                                n.kind(), n.item().key(), n.status(), n.item().fingerprint(), n.item().snapshot(), now);
                        if (n.status() == FeatureStatus.PENDING) {
                            pending.add(n);
                        }
                    }
                    case Change c -> {
                        boolean recorded = repo.saveChanged(c.state().id(), c.state().currentFingerprint(), c.status(), c.item().fingerprint(),
                                c.item().snapshot(), now);
                        if (recorded && c.rugPull()) {
                            Feature before = repo.feature(c.state().id()).orElseThrow();
                            rugPulls.add(new RugPull(c.state(), before.approvedSnapshot(), c.item()));
                        }
                    }
                    case Presence p -> repo.setPresent(p.state().id(), p.present(), now);
                    case FirstListing f -> repo.insertInventory(gatewayId, serverId, f.kind(), now);
                }
            }
        });
        views.reloadNow();
        ServerDef server = snap.servers().get(serverId);
        GatewayDef gateway = snap.gateways().get(gatewayId);
        for (RugPull r : rugPulls) {
            raiseRugPull(gateway, server, assignment, r);
        }
        if (!pending.isEmpty()) {
            raisePending(gateway, server, assignment, pending);
        }
    }

    private record RugPull(FeatureState state, JsonNode approved, Listed now) {
    }

    private void raiseRugPull(GatewayDef gateway, ServerDef server, Assignment a, RugPull r) {
        FeatureKind kind = r.state().kind();
        String exposed = kind.prefixed() ? a.expose(r.state().name()) : r.state().name();
        List<FeatureSnapshots.Change> changes = FeatureSnapshots.diff(r.approved(), r.now().snapshot());
        ObjectNode details = Json.object();
        details.put("gatewayId", gateway.id());
        details.put("gatewayName", gateway.name());
        details.put("serverId", server.id());
        details.put("serverName", server.name());
        details.put("featureId", r.state().id());
        details.put("kind", kind.wire());
        details.put("name", r.state().name());
        details.put("exposedName", exposed);
        details.put("approvedFingerprint", r.state().approvedFingerprint());
        details.put("currentFingerprint", r.now().fingerprint());
        ArrayNode diff = details.putArray("changes");
        for (FeatureSnapshots.Change c : changes) {
            ObjectNode d = diff.addObject();
            d.put("path", c.path());
            d.set("before", c.before() == null ? Json.NODES.nullNode() : c.before());
            d.set("after", c.after() == null ? Json.NODES.nullNode() : c.after());
        }
        details.set("approved", r.approved());
        details.set("current", r.now().snapshot());
        String message = kind.wire() + " '" + exposed + "' of server '" + server.name() + "' changed after approval ("
                + FeatureSnapshots.summary(changes) + "); it is quarantined: hidden from lists and refused until re-approved";
        try {
            alerts.raise(RUG_PULL, Alert.CRITICAL, kind.wire() + " " + exposed + " on gateway " + gateway.name(), message,
                    new AlertService.About(gateway.id(), server.id(), r.state().id()), details);
        } catch (RuntimeException e) {
            log.error("could not record the alert: {}", message, e);
        }
    }

    private void raisePending(GatewayDef gateway, ServerDef server, Assignment a, List<AddNew> pending) {
        List<String> names = pending.stream().map(n -> n.kind().wire() + " " + (n.kind().prefixed() ? a.expose(n.item().key()) : n.item().key()))
                .toList();
        ObjectNode details = Json.object();
        details.put("gatewayId", gateway.id());
        details.put("serverId", server.id());
        ArrayNode list = details.putArray("features");
        pending.forEach(n -> list.addObject()
                .put("id", FeatureRepository.featureId(gateway.id(), server.id(), n.kind(), n.item().key()))
                .put("kind", n.kind().wire())
                .put("name", n.item().key()));
        String message = pending.size() + " new feature" + (pending.size() == 1 ? "" : "s") + " of server '" + server.name()
                + "' wait for approval on gateway '" + gateway.name() + "': " + String.join(", ", names.subList(0, Math.min(10, names.size())))
                + (names.size() > 10 ? " and " + (names.size() - 10) + " more" : "");
        try {
            alerts.raise(PENDING_FEATURES, Alert.INFO, "server " + server.name() + " on gateway " + gateway.name(), message,
                    new AlertService.About(gateway.id(), server.id(), null), details);
        } catch (RuntimeException e) {
            log.error("could not record the alert: {}", message, e);
        }
    }
}
