package gatehouse.catalog.features;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;
import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureSnapshots;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.FeatureStatus;
import gatehouse.policy.provisioning.KindPolicy;
import gatehouse.policy.provisioning.Observation;
import gatehouse.policy.provisioning.ProvisioningPolicy;
import gatehouse.policy.provisioning.ProvisioningSettings;
import gatehouse.policy.provisioning.ProvisioningView;
import gatehouse.policy.provisioning.ProvisioningView.GatewayFeatures;
import gatehouse.policy.provisioning.ProvisioningView.ServerFeatures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The feature inventory: records what upstreams list (new features, changed definitions,
 * quarantine, alerts), answers the admin API, and publishes the immutable
 * {@link ProvisioningView} the data plane reads. It is the only writer of features; after every
 * change it rebuilds the view, and a scheduled check picks up changes made by other replicas.
 */
@Service
public class FeatureService implements gatehouse.platform.Reloadable {
    private static final Logger log = LoggerFactory.getLogger(FeatureService.class);
    public static final String RUG_PULL = "rug-pull";
    public static final String PENDING_FEATURES = "feature-pending";
    public static final String TOOL_BUDGET = "tool-budget";

    private final FeatureRepository repo;
    private final AlertService alerts;
    private final ObjectProvider<CatalogService> catalog;
    private final ProvisioningProperties props;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Encoding tokenizer = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    private final AtomicLong versions = new AtomicLong();
    private final Map<String, ToolBudget> budgets = new ConcurrentHashMap<>();
    private final Map<String, Boolean> budgetAlerted = new ConcurrentHashMap<>();
    private volatile ProvisioningView view;
    private volatile String marker = "";
    private volatile boolean ready;

    FeatureService(FeatureRepository repo, AlertService alerts, ObjectProvider<CatalogService> catalog, ProvisioningProperties props,
                   PlatformTransactionManager transactions, ApplicationEventPublisher events) {
        this.repo = repo;
        this.alerts = alerts;
        this.catalog = catalog;
        this.props = props;
        this.tx = new TransactionTemplate(transactions);
        this.events = events;
        // No events and no alerts before the application runs: listeners may not exist yet.
        this.view = load();
        this.marker = repo.changeMarker();
    }

    @EventListener(ApplicationReadyEvent.class)
    void ready() {
        ready = true;
        checkBudgets();
    }

    /** The current view; never blocks. */
    public ProvisioningView view() {
        return view;
    }

    public ProvisioningProperties properties() {
        return props;
    }

    // --- building and publishing the view

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

    private synchronized void reloadNow() {
        publish(load(), repo.changeMarker());
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
        if (ready) {
            checkBudgets();
        }
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

    // --- observation: what discovery and the data plane saw listed

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
     * from the approved snapshot.
     */
    public void observe(String gatewayId, String serverId, Map<FeatureKind, List<Listed>> lists, boolean authoritative) {
        if (plan(view, gatewayId, serverId, lists, authoritative).isEmpty()) {
            return; // the common case: nothing new, no lock, no database
        }
        try {
            applyObservation(gatewayId, serverId, lists, authoritative);
        } catch (RuntimeException e) {
            log.warn("gateway {}: could not record features of server {}: {}", gatewayId, serverId, e.toString());
            try {
                reloadNow(); // e.g. another replica recorded the same feature first
            } catch (RuntimeException ignored) {
                // the scheduled reload will try again
            }
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

    private synchronized void applyObservation(String gatewayId, String serverId, Map<FeatureKind, List<Listed>> lists,
                                               boolean authoritative) {
        CatalogSnapshot snap = catalog.getObject().snapshot();
        Assignment assignment = snap.assignments(gatewayId).stream().filter(a -> a.serverId().equals(serverId)).findFirst().orElse(null);
        if (assignment == null) {
            return; // unassigned meanwhile
        }
        reload(); // another replica may have recorded some of it already
        List<Action> actions = plan(view, gatewayId, serverId, lists, authoritative); // again, under the lock
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
        reloadNow();
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

    // --- the admin API

    public List<Feature> features(String gatewayId) {
        gateway(gatewayId);
        return repo.features(gatewayId);
    }

    public Feature feature(String gatewayId, String featureId) {
        gateway(gatewayId);
        return repo.feature(featureId).filter(f -> f.gatewayId().equals(gatewayId) && f.currentFingerprint() != null)
                .orElseThrow(() -> ProblemException.notFound("feature", featureId));
    }

    public List<FeatureVersion> versions(String gatewayId, String featureId) {
        return repo.versions(feature(gatewayId, featureId).id());
    }

    /** Enables or disables one feature; null hands the decision back to the gateway's policy. */
    public synchronized Feature setEnabled(String gatewayId, String featureId, Boolean enabled) {
        Feature f = feature(gatewayId, featureId);
        if (!Objects.equals(f.enabled(), enabled)) {
            repo.setEnabled(f.id(), enabled, Instant.now());
            reloadNow();
        }
        return feature(gatewayId, featureId);
    }

    /**
     * Approves the feature's current definition, which becomes its snapshot. With
     * {@code expectedFingerprint}, only that definition is approved: if the upstream changed it
     * again since the administrator looked, the approval is refused (409).
     */
    public synchronized Feature approve(String gatewayId, String featureId, String expectedFingerprint) {
        Feature f = feature(gatewayId, featureId);
        if (expectedFingerprint != null && !expectedFingerprint.equals(f.currentFingerprint())) {
            throw ProblemException.conflict("fingerprint", "the feature changed since that definition was reviewed: its current "
                    + "fingerprint is " + f.currentFingerprint() + "; review it again");
        }
        if (f.status() != FeatureStatus.APPROVED || !f.currentFingerprint().equals(f.approvedFingerprint())) {
            tx.executeWithoutResult(s -> repo.approve(f.id(), f.currentFingerprint(), f.currentSnapshot(), Instant.now()));
            reloadNow();
            log.info("gateway {}: {} '{}' approved (fingerprint {})", gatewayId, f.kind().wire(), f.name(), f.currentFingerprint());
        }
        try {
            alerts.resolve(RUG_PULL, new AlertService.About(gatewayId, f.serverId(), f.id()));
        } catch (RuntimeException e) {
            log.warn("could not resolve the alerts of feature {}", f.id(), e);
        }
        return feature(gatewayId, featureId);
    }

    public ProvisioningSettings settings(String gatewayId) {
        gateway(gatewayId);
        return view.gateway(gatewayId).settings();
    }

    /**
     * A change to a gateway's settings; null members stay as they are. {@code policies} maps a kind
     * ({@code tools}, {@code prompts}, {@code resources}, {@code resourceTemplates}, or the singular
     * wire names) to {@code allow-all}, {@code allow-selected} or {@code block-all}.
     * {@code toolBudget}: a number, or JSON null for the installation's default.
     */
    public record SettingsChange(Map<String, String> policies, Boolean autoApprove, Boolean approveOnAssign, JsonNode toolBudget) {
        public boolean isEmpty() {
            return (policies == null || policies.isEmpty()) && autoApprove == null && approveOnAssign == null && toolBudget == null;
        }

        /**
         * Reads a change from a request body: the kinds' policies, {@code autoApprove},
         * {@code approveOnAssign} and {@code toolBudget}, at the top level or under
         * {@code provisioning}. {@code strict}: any other member is an error (otherwise it is left
         * to the caller, e.g. a gateway's {@code name}).
         */
        public static SettingsChange from(JsonNode body, boolean strict) {
            Map<String, String> policies = new LinkedHashMap<>();
            Boolean[] flags = new Boolean[2];
            JsonNode[] budget = new JsonNode[1];
            if (body instanceof ObjectNode top) {
                read(top, strict, policies, flags, budget, "");
                if (top.get("provisioning") instanceof ObjectNode nested) {
                    read(nested, true, policies, flags, budget, "provisioning.");
                } else if (top.has("provisioning") && !top.get("provisioning").isNull()) {
                    throw ProblemException.invalid("provisioning", "provisioning must be an object such as {\"tools\": \"allow-selected\"}");
                }
            } else if (body != null && !body.isNull()) {
                throw ProblemException.invalid(null, "the body must be a JSON object");
            }
            return new SettingsChange(policies, flags[0], flags[1], budget[0]);
        }

        private static void read(ObjectNode o, boolean strict, Map<String, String> policies, Boolean[] flags, JsonNode[] budget, String path) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                String k = e.getKey();
                JsonNode v = e.getValue();
                switch (k) {
                    case "provisioning" -> {
                        if (!path.isEmpty()) {
                            throw ProblemException.invalid(path + k, "provisioning cannot be nested");
                        }
                    }
                    case "autoApprove" -> flags[0] = bool(path + k, v);
                    case "approveOnAssign" -> flags[1] = bool(path + k, v);
                    case "toolBudget" -> budget[0] = v;
                    default -> {
                        FeatureKind kind;
                        try {
                            kind = kindOf(k);
                        } catch (ProblemException unknown) {
                            if (strict) {
                                throw ProblemException.invalid(path + k, "unknown member '" + k + "'; expected tools, prompts, resources, "
                                        + "resourceTemplates, autoApprove, approveOnAssign or toolBudget");
                            }
                            continue;
                        }
                        if (v == null || !v.isString()) {
                            throw ProblemException.invalid(path + k, k + " must be allow-all, allow-selected or block-all");
                        }
                        try {
                            KindPolicy.fromWire(v.stringValue());
                        } catch (IllegalArgumentException bad) {
                            throw ProblemException.invalid(path + k, bad.getMessage());
                        }
                        policies.put(kind.listKey(), v.stringValue());
                    }
                }
            }
        }

        private static Boolean bool(String field, JsonNode v) {
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isBoolean()) {
                throw ProblemException.invalid(field, field + " must be true or false");
            }
            return v.booleanValue();
        }
    }

    /** Settings, tool budget and warnings of a gateway, for its admin view. */
    public ProvisioningSummary summary(String gatewayId) {
        ToolBudget b = budget(gatewayId);
        List<ProvisioningSummary.Warning> warnings = b.exceeded()
                ? List.of(new ProvisioningSummary.Warning(TOOL_BUDGET, b.warning())) : List.of();
        return new ProvisioningSummary(ProvisioningSummary.Settings.of(view.gateway(gatewayId).settings(), props.toolBudget()), b, warnings);
    }

    public synchronized ProvisioningSettings updateSettings(String gatewayId, SettingsChange change) {
        ProvisioningSettings s = settings(gatewayId);
        if (change.policies() != null) {
            for (Map.Entry<String, String> e : change.policies().entrySet()) {
                FeatureKind kind = kindOf(e.getKey());
                if (e.getValue() == null) {
                    continue;
                }
                try {
                    s = s.withPolicy(kind, KindPolicy.fromWire(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    throw ProblemException.invalid("provisioning." + e.getKey(), ex.getMessage());
                }
            }
        }
        Integer budget = s.toolBudget();
        if (change.toolBudget() != null) {
            if (change.toolBudget().isNull()) {
                budget = null;
            } else if (change.toolBudget().isIntegralNumber() && change.toolBudget().canConvertToInt() && change.toolBudget().asInt() >= 0) {
                budget = change.toolBudget().asInt();
            } else {
                throw ProblemException.invalid("toolBudget", "toolBudget must be a whole number, 0 or more, or null for the default ("
                        + props.toolBudget() + ")");
            }
        }
        ProvisioningSettings updated = new ProvisioningSettings(s.policies(),
                change.autoApprove() != null ? change.autoApprove() : s.autoApprove(),
                change.approveOnAssign() != null ? change.approveOnAssign() : s.approveOnAssign(), budget);
        if (!updated.equals(settings(gatewayId)) || !view.gateways().containsKey(gatewayId)) {
            repo.upsertSettings(gatewayId, updated, Instant.now());
            reloadNow();
        }
        return settings(gatewayId);
    }

    /** Accepts {@code tools}/{@code tool}, …, {@code resourceTemplates}/{@code resource-template(s)}. */
    public static FeatureKind kindOf(String name) {
        String n = name == null ? "" : name.trim();
        for (FeatureKind k : FeatureKind.values()) {
            if (k.listKey().equals(n) || k.wire().equals(n) || (k.wire() + "s").equals(n)) {
                return k;
            }
        }
        throw ProblemException.invalid("provisioning." + n, "unknown feature kind '" + n
                + "'; expected tools, prompts, resources or resourceTemplates");
    }

    /**
     * Enables or disables a feature by its name upstream, even before any server listed it (the
     * declarative configuration does this at start-up). Returns 1 when something changed.
     */
    public synchronized int setEnabledByName(String gatewayId, String serverId, FeatureKind kind, String name, boolean enabled) {
        gateway(gatewayId);
        FeatureState s = view.gateway(gatewayId).server(serverId).get(kind, name);
        if (s != null && Objects.equals(s.enabled(), enabled)) {
            return 0;
        }
        Instant now = Instant.now();
        if (s != null) {
            repo.setEnabled(s.id(), enabled, now);
        } else {
            repo.insertPlaceholder(FeatureRepository.featureId(gatewayId, serverId, kind, name), gatewayId, serverId, kind, name, enabled, now);
        }
        reloadNow();
        return 1;
    }

    private GatewayDef gateway(String gatewayId) {
        return catalog.getObject().gateway(gatewayId);
    }

    // --- the tool budget

    /** Enabled tools against the budget, and the size in tokens of the tool list a client receives. */
    public record ToolBudget(int limit, int enabledTools, int toolListTokens, boolean exceeded) {
        public String warning() {
            return exceeded ? enabledTools + " tools are enabled, more than the budget of " + limit
                    + ": models choose tools less reliably, and each model request carries ~" + toolListTokens
                    + " tokens of tool definitions; disable tools or split the gateway" : null;
        }
    }

    public ToolBudget budget(String gatewayId) {
        CatalogSnapshot snap = catalog.getObject().snapshot();
        ProvisioningView v = view;
        String cacheKey = gatewayId + "@" + v.version() + "/" + snap.version();
        ToolBudget cached = budgets.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        GatewayFeatures g = v.gateway(gatewayId);
        int limit = g.settings().toolBudget() != null ? g.settings().toolBudget() : props.toolBudget();
        Map<String, Assignment> assigned = new LinkedHashMap<>();
        snap.assignments(gatewayId).forEach(a -> assigned.put(a.serverId(), a));
        Map<String, FeatureState> exposedById = new HashMap<>();
        for (Assignment a : assigned.values()) {
            for (FeatureState s : g.server(a.serverId()).all(FeatureKind.TOOL)) {
                if (s.present() && ProvisioningPolicy.decide(g.settings(), s, null).exposed()) {
                    exposedById.put(s.id(), s);
                }
            }
        }
        int tokens = 0;
        if (!exposedById.isEmpty()) {
            ArrayNode tools = Json.array();
            repo.features(gatewayId).stream()
                    .filter(f -> exposedById.containsKey(f.id()) && f.approvedSnapshot() instanceof ObjectNode)
                    .sorted(Comparator.comparing(Feature::name))
                    .forEach(f -> {
                        ObjectNode t = ((ObjectNode) f.approvedSnapshot()).deepCopy();
                        t.put("name", assigned.get(f.serverId()).expose(f.name()));
                        tools.add(t);
                    });
            ObjectNode result = Json.object();
            result.set("tools", tools);
            tokens = tokenizer.countTokensOrdinary(Json.string(result));
        }
        ToolBudget b = new ToolBudget(limit, exposedById.size(), tokens, exposedById.size() > limit);
        if (budgets.size() > 1000) {
            budgets.clear();
        }
        budgets.put(cacheKey, b);
        return b;
    }

    /** Raises the budget alert of every gateway over its budget and resolves it for those back under. */
    private void checkBudgets() {
        CatalogService c = catalog.getIfAvailable();
        if (c == null) {
            return;
        }
        for (GatewayDef g : c.snapshot().gateways().values()) {
            try {
                ToolBudget b = budget(g.id());
                Boolean before = budgetAlerted.put(g.id(), b.exceeded());
                if (Objects.equals(before, b.exceeded()) && !b.exceeded()) {
                    continue;
                }
                AlertService.About about = new AlertService.About(g.id(), null, null);
                if (b.exceeded()) {
                    ObjectNode details = Json.object();
                    details.put("gatewayId", g.id());
                    details.put("limit", b.limit());
                    details.put("enabledTools", b.enabledTools());
                    details.put("toolListTokens", b.toolListTokens());
                    alerts.raiseOnce(TOOL_BUDGET, Alert.WARNING, "gateway " + g.name(), "gateway '" + g.name() + "': " + b.warning(), about, details);
                } else if (before != null) {
                    alerts.resolve(TOOL_BUDGET, about);
                }
            } catch (RuntimeException e) {
                log.warn("gateway {}: tool budget check failed: {}", g.id(), e.toString());
            }
        }
    }
}
