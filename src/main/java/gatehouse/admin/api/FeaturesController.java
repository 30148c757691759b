package gatehouse.admin.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.features.Feature;
import gatehouse.catalog.features.Discovery;
import gatehouse.catalog.features.FeatureCommands;
import gatehouse.catalog.features.FeatureSettings;
import gatehouse.catalog.features.FeatureViews;
import gatehouse.catalog.features.FeatureVersion;
import gatehouse.catalog.features.ProvisioningSummary;
import gatehouse.platform.ProblemException;
import gatehouse.policy.provisioning.Decision;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureSnapshots;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.FeatureStatus;
import gatehouse.policy.provisioning.ProvisioningPolicy;
import gatehouse.policy.provisioning.ProvisioningView.GatewayFeatures;
import tools.jackson.databind.JsonNode;

/** A gateway's features (tools, prompts, resources, templates): listing, enabling, approval, history, and provisioning settings. */
@RestController
@RequestMapping("/api/v1/gateways/{gid}")
class FeaturesController {
    private final FeatureCommands features;
    private final FeatureSettings featureSettings;
    private final FeatureViews featureViews;
    private final Discovery discovery;
    private final CatalogService catalog;

    FeaturesController(FeatureCommands features, FeatureSettings featureSettings, FeatureViews featureViews, Discovery discovery, CatalogService catalog) {
        this.features = features;
        this.featureSettings = featureSettings;
        this.featureViews = featureViews;
        this.discovery = discovery;
        this.catalog = catalog;
    }

    /**
     * A feature as a gateway exposes it. {@code enabled} is in effect (the administrator's choice,
     * else the policy's); {@code exposed} says whether clients see it, {@code hiddenBecause} why not.
     */
    record FeatureView(String id, String serverId, String serverName, String kind, String name, String exposedName, boolean enabled,
                       String enabledBy, String status, boolean present, boolean exposed, String hiddenBecause, String title,
                       String description, String approvedFingerprint, String currentFingerprint, Instant firstSeenAt,
                       Instant approvedAt, Instant changedAt) {
    }

    /** One feature with both snapshots and what differs between them. */
    record FeatureDetail(FeatureView feature, JsonNode approvedSnapshot, JsonNode currentSnapshot, List<FeatureSnapshots.Change> changes) {
    }

    record EnabledInput(Boolean enabled) {
    }

    record ApproveInput(String fingerprint) {
    }

    @GetMapping("/features")
    List<FeatureView> list(@PathVariable String gid, @RequestParam(required = false) String kind,
                           @RequestParam(required = false) String status, @RequestParam(required = false) String server,
                           @RequestParam(required = false, defaultValue = "false") boolean refresh) {
        catalog.gateway(gid);
        discoverIfNeeded(gid, refresh);
        FeatureKind k = kind == null ? null : parse(() -> FeatureKind.fromWire(kind), "kind");
        FeatureStatus st = status == null ? null : parse(() -> FeatureStatus.fromWire(status), "status");
        CatalogSnapshot snap = catalog.snapshot();
        Map<String, Integer> order = new HashMap<>();
        List<Assignment> assignments = snap.assignments(gid);
        for (int i = 0; i < assignments.size(); i++) {
            order.put(assignments.get(i).serverId(), i);
        }
        List<Feature> all = new ArrayList<>(features.features(gid));
        all.removeIf(f -> !order.containsKey(f.serverId()) || k != null && f.kind() != k || st != null && f.status() != st
                || server != null && !server.equals(f.serverId()));
        all.sort(Comparator.<Feature>comparingInt(f -> order.get(f.serverId())).thenComparing(Feature::kind).thenComparing(Feature::name));
        return all.stream().map(f -> view(snap, f)).toList();
    }

    /** Lists every assigned server again now, then answers like GET. */
    @PostMapping("/features/refresh")
    List<FeatureView> refresh(@PathVariable String gid) {
        return list(gid, null, null, null, true);
    }

    @GetMapping("/features/{fid}")
    FeatureDetail get(@PathVariable String gid, @PathVariable String fid) {
        return detail(features.feature(gid, fid));
    }

    @PatchMapping("/features/{fid}")
    FeatureView patch(@PathVariable String gid, @PathVariable String fid, @RequestBody JsonNode body) {
        if (body == null || !body.has("enabled") || !(body.get("enabled").isBoolean() || body.get("enabled").isNull())) {
            throw ProblemException.invalid("enabled", "enabled is required: true, false, or null to follow the gateway's policy");
        }
        JsonNode e = body.get("enabled");
        return view(catalog.snapshot(), features.setEnabled(gid, fid, e.isNull() ? null : e.booleanValue()));
    }

    /**
     * Approves the feature's current definition: a pending feature becomes available, a
     * quarantined one takes its new definition as the snapshot. With {@code {"fingerprint": …}}
     * only that reviewed definition is approved.
     */
    @PostMapping("/features/{fid}/approve")
    FeatureDetail approve(@PathVariable String gid, @PathVariable String fid, @RequestBody(required = false) ApproveInput in) {
        return detail(features.approve(gid, fid, in == null ? null : in.fingerprint()));
    }

    @GetMapping("/features/{fid}/versions")
    List<FeatureVersion> versions(@PathVariable String gid, @PathVariable String fid) {
        return features.versions(gid, fid);
    }

    @GetMapping("/provisioning")
    ProvisioningSummary.Settings provisioning(@PathVariable String gid) {
        return featureSettings.summary(gid).provisioning();
    }

    @PatchMapping("/provisioning")
    ProvisioningSummary.Settings updateProvisioning(@PathVariable String gid, @RequestBody JsonNode body) {
        featureSettings.updateSettings(gid, FeatureSettings.SettingsChange.from(body, true));
        return featureSettings.summary(gid).provisioning();
    }

    // ---

    private void discoverIfNeeded(String gid, boolean force) {
        CatalogSnapshot snap = catalog.snapshot();
        GatewayFeatures g = featureViews.view().gateway(gid);
        List<Thread> threads = new ArrayList<>();
        for (Assignment a : snap.assignments(gid)) {
            ServerDef server = snap.servers().get(a.serverId());
            boolean complete = true;
            for (FeatureKind kind : FeatureKind.values()) {
                complete &= g.server(a.serverId()).discovered(kind);
            }
            if (server != null && (force || !complete)) {
                threads.add(Thread.ofVirtual().start(() -> {
                    if (force) {
                        discovery.discover(server);
                    } else {
                        discovery.discoverNow(server);
                    }
                }));
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

    private FeatureDetail detail(Feature f) {
        List<FeatureSnapshots.Change> changes = f.approvedSnapshot() == null ? List.of() : FeatureSnapshots.diff(f.approvedSnapshot(), f.currentSnapshot());
        return new FeatureDetail(view(catalog.snapshot(), f), f.approvedSnapshot(), f.currentSnapshot(), changes);
    }

    private FeatureView view(CatalogSnapshot snap, Feature f) {
        Assignment a = snap.assignments(f.gatewayId()).stream().filter(x -> x.serverId().equals(f.serverId())).findFirst().orElse(null);
        ServerDef server = snap.servers().get(f.serverId());
        String exposedName = f.kind().prefixed() && a != null ? a.expose(f.name()) : f.name();
        GatewayFeatures g = featureViews.view().gateway(f.gatewayId());
        FeatureState state = g.server(f.serverId()).get(f.kind(), f.name());
        Decision d = ProvisioningPolicy.decide(g.settings(), state, null);
        boolean enabled = state != null && ProvisioningPolicy.enabled(g.settings(), state);
        JsonNode shown = f.currentSnapshot() != null ? f.currentSnapshot() : f.approvedSnapshot();
        return new FeatureView(f.id(), f.serverId(), server == null ? null : server.name(), f.kind().wire(), f.name(), exposedName, enabled,
                f.enabled() == null ? "policy" : "administrator", f.status().wire(), f.present(), d.exposed(),
                d instanceof Decision.Hide h ? h.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') : null,
                text(shown, "title"), text(shown, "description"), f.approvedFingerprint(), f.currentFingerprint(), f.firstSeenAt(),
                f.approvedAt(), f.changedAt());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isString() ? v.stringValue() : null;
    }

    private static <T> T parse(java.util.function.Supplier<T> s, String field) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(field, e.getMessage());
        }
    }
}
