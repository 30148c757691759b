package gatehouse.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.features.Discovery;
import gatehouse.catalog.features.Feature;
import gatehouse.catalog.features.FeatureCommands;
import gatehouse.catalog.features.FeatureSettings;
import gatehouse.catalog.features.FeatureViews;
import gatehouse.catalog.features.ProvisioningSummary;
import gatehouse.platform.Json;
import gatehouse.policy.access.Permission;
import gatehouse.policy.provisioning.Decision;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureSnapshots;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.FeatureStatus;
import gatehouse.policy.provisioning.ProvisioningPolicy;
import gatehouse.policy.provisioning.ProvisioningView.GatewayFeatures;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A gateway's Tools tab: the provisioning policy per kind, approval settings and the tool budget;
 * every feature (tools, prompts, resources, templates) with whether clients see it and why not,
 * enabled or disabled one by one; and the quarantined and pending ones, each changed definition
 * beside the approved one, approved by fingerprint (exactly what the person reviewed).
 */
@Controller("consoleGatewayToolsController")
class GatewayToolsController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final GatewayPages pages;
    private final CatalogService catalog;
    private final FeatureCommands features;
    private final FeatureSettings featureSettings;
    private final FeatureViews featureViews;
    private final Discovery discovery;

    GatewayToolsController(ConsoleAccess access, ConsoleAudit audit, GatewayPages pages, CatalogService catalog, FeatureCommands features, FeatureSettings featureSettings, FeatureViews featureViews,
                           Discovery discovery) {
        this.access = access;
        this.audit = audit;
        this.pages = pages;
        this.catalog = catalog;
        this.features = features;
        this.featureSettings = featureSettings;
        this.featureViews = featureViews;
        this.discovery = discovery;
    }

    /** A feature as the gateway exposes it; {@code hiddenBecause} in words. */
    record FeatureRow(String id, String serverName, String kind, String name, String exposedName, boolean enabled, String enabledBy,
                      String status, boolean exposed, String hiddenBecause, String description) {
    }

    /** A quarantined or pending feature for review: both definitions as indented JSON, and what changed. */
    record Review(FeatureRow feature, String approved, String current, List<String> changes, String fingerprint) {
    }

    record KindGroup(String kind, String label, String policy, List<FeatureRow> features) {
    }

    private static final Map<FeatureKind, String> LABELS = Map.of(FeatureKind.TOOL, "Tools", FeatureKind.PROMPT, "Prompts",
            FeatureKind.RESOURCE, "Resources", FeatureKind.RESOURCE_TEMPLATE, "Resource templates");

    @GetMapping("/console/gateways/{gid}/tools")
    String tab(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Model model) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_READ);
        pages.header(viewer, g, "tools", model);
        discoverIfNeeded(gid);
        CatalogSnapshot snap = catalog.snapshot();
        ProvisioningSummary summary = featureSettings.summary(gid);
        List<Feature> all = sorted(gid, snap);
        List<KindGroup> groups = new ArrayList<>();
        for (FeatureKind kind : FeatureKind.values()) {
            groups.add(new KindGroup(kind.listKey(), LABELS.get(kind), policyOf(summary.provisioning(), kind),
                    all.stream().filter(f -> f.kind() == kind).map(f -> row(snap, f)).toList()));
        }
        model.addAttribute("groups", groups);
        model.addAttribute("reviews", all.stream().filter(f -> f.status() == FeatureStatus.QUARANTINED || f.status() == FeatureStatus.PENDING)
                .map(f -> review(snap, f)).toList());
        model.addAttribute("settings", summary.provisioning());
        model.addAttribute("budget", summary.toolBudget());
        model.addAttribute("mayProvision", access.may(viewer, Permission.GATEWAY_PROVISION, gid));
        return "console/gateway-tools";
    }

    private static String policyOf(ProvisioningSummary.Settings s, FeatureKind kind) {
        return switch (kind) {
            case TOOL -> s.tools();
            case PROMPT -> s.prompts();
            case RESOURCE -> s.resources();
            case RESOURCE_TEMPLATE -> s.resourceTemplates();
        };
    }

    @PostMapping("/console/gateways/{gid}/tools/settings")
    String settings(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @RequestParam Map<String, String> form,
                    RedirectAttributes flash) {
        access.gateway(viewer, gid, Permission.GATEWAY_PROVISION);
        ObjectNode body = Json.object();
        for (FeatureKind kind : FeatureKind.values()) {
            String v = form.get(kind.listKey());
            if (v != null && !v.isBlank()) {
                body.put(kind.listKey(), v);
            }
        }
        body.put("autoApprove", "true".equals(form.get("autoApprove")));
        body.put("approveOnAssign", "true".equals(form.get("approveOnAssign")));
        String budget = form.getOrDefault("toolBudget", "").strip();
        if (budget.isEmpty()) {
            body.putNull("toolBudget");
        } else {
            try {
                body.put("toolBudget", Integer.parseInt(budget));
            } catch (NumberFormatException e) {
                throw gatehouse.platform.ProblemException.invalid("toolBudget", "the tool budget must be a whole number, or empty for the default");
            }
        }
        ProvisioningSummary.Settings before = featureSettings.summary(gid).provisioning();
        featureSettings.updateSettings(gid, FeatureSettings.SettingsChange.from(body, true));
        audit.record(viewer, "PATCH /gateways/{}/provisioning", "/gateways/" + gid + "/provisioning", before, featureSettings.summary(gid).provisioning());
        flash.addFlashAttribute("info", "Provisioning settings saved.");
        return "redirect:/console/gateways/" + gid + "/tools";
    }

    /** {@code enabled}: true, false, or "policy" to follow the gateway's policy again. */
    @PostMapping("/console/gateways/{gid}/tools/{fid}/enabled")
    String enabled(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String fid,
                   @RequestParam String enabled, RedirectAttributes flash) {
        access.gateway(viewer, gid, Permission.GATEWAY_PROVISION);
        Boolean value = switch (enabled) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "policy" -> null;
            default -> throw gatehouse.platform.ProblemException.invalid("enabled", "enabled must be true, false or policy");
        };
        Feature before = features.feature(gid, fid);
        Feature after = features.setEnabled(gid, fid, value);
        audit.record(viewer, "PATCH /gateways/{}/features/{}", "/gateways/" + gid + "/features/" + fid, before.enabled(), after.enabled());
        flash.addFlashAttribute("info", "'" + after.name() + "' " + (value == null ? "follows the policy again" : value ? "enabled" : "disabled") + ".");
        return "redirect:/console/gateways/" + gid + "/tools";
    }

    /** Approves the definition the person reviewed: a later change (another fingerprint) is refused, not approved unseen. */
    @PostMapping("/console/gateways/{gid}/tools/{fid}/approve")
    String approve(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String fid,
                   @RequestParam String fingerprint, RedirectAttributes flash) {
        access.gateway(viewer, gid, Permission.GATEWAY_PROVISION);
        Feature before = features.feature(gid, fid);
        Feature after = features.approve(gid, fid, fingerprint);
        audit.record(viewer, "POST /gateways/{}/features/{}/approve", "/gateways/" + gid + "/features/" + fid,
                before.status().wire(), after.status().wire());
        flash.addFlashAttribute("info", "'" + after.name() + "' approved.");
        return "redirect:/console/gateways/" + gid + "/tools";
    }

    @PostMapping("/console/gateways/{gid}/tools/refresh")
    String refresh(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, RedirectAttributes flash) {
        access.gateway(viewer, gid, Permission.GATEWAY_PROVISION);
        CatalogSnapshot snap = catalog.snapshot();
        List<String> failed = new ArrayList<>();
        forEachServer(gid, snap, s -> {
            if (!discovery.discover(s)) {
                synchronized (failed) {
                    failed.add(s.name());
                }
            }
        });
        flash.addFlashAttribute(failed.isEmpty() ? "info" : "error", failed.isEmpty() ? "Every server listed again."
                : "Could not list: " + String.join(", ", failed) + " (see the Servers page for why).");
        return "redirect:/console/gateways/" + gid + "/tools";
    }

    // ---

    /** Servers never listed are listed now (in parallel), so a freshly assigned server's tools show at once. */
    private void discoverIfNeeded(String gid) {
        GatewayFeatures g = featureViews.view().gateway(gid);
        forEachServer(gid, catalog.snapshot(), s -> {
            boolean complete = true;
            for (FeatureKind kind : FeatureKind.values()) {
                complete &= g.server(s.id()).discovered(kind);
            }
            if (!complete) {
                discovery.discoverNow(s);
            }
        });
    }

    private static void forEachServer(String gid, CatalogSnapshot snap, java.util.function.Consumer<ServerDef> each) {
        List<Thread> threads = new ArrayList<>();
        for (Assignment a : snap.assignments(gid)) {
            ServerDef s = snap.servers().get(a.serverId());
            if (s != null) {
                threads.add(Thread.ofVirtual().start(() -> each.accept(s)));
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

    private List<Feature> sorted(String gid, CatalogSnapshot snap) {
        Map<String, Integer> order = new HashMap<>();
        List<Assignment> assignments = snap.assignments(gid);
        for (int i = 0; i < assignments.size(); i++) {
            order.put(assignments.get(i).serverId(), i);
        }
        List<Feature> all = new ArrayList<>(features.features(gid));
        all.removeIf(f -> !order.containsKey(f.serverId()));
        all.sort(Comparator.<Feature>comparingInt(f -> order.get(f.serverId())).thenComparing(Feature::kind).thenComparing(Feature::name));
        return all;
    }

    private FeatureRow row(CatalogSnapshot snap, Feature f) {
        Assignment a = snap.assignments(f.gatewayId()).stream().filter(x -> x.serverId().equals(f.serverId())).findFirst().orElse(null);
        ServerDef server = snap.servers().get(f.serverId());
        GatewayFeatures g = featureViews.view().gateway(f.gatewayId());
        FeatureState state = g.server(f.serverId()).get(f.kind(), f.name());
        Decision d = ProvisioningPolicy.decide(g.settings(), state, null);
        JsonNode shown = f.currentSnapshot() != null ? f.currentSnapshot() : f.approvedSnapshot();
        JsonNode description = shown == null ? null : shown.get("description");
        return new FeatureRow(f.id(), server == null ? f.serverId() : server.name(), f.kind().wire(), f.name(),
                f.kind().prefixed() && a != null ? a.expose(f.name()) : f.name(),
                state != null && ProvisioningPolicy.enabled(g.settings(), state), f.enabled() == null ? "policy" : "administrator",
                f.status().wire(), d.exposed(), d instanceof Decision.Hide h ? reason(h.reason()) : null,
                description != null && description.isString() ? description.stringValue() : null);
    }

    private static String reason(Decision.Reason r) {
        return switch (r) {
            case UNKNOWN -> "not listed by the server";
            case BLOCKED -> "the gateway blocks this kind";
            case NOT_SELECTED -> "not selected (the gateway allows selected ones only)";
            case DISABLED -> "disabled by an administrator";
            case PENDING -> "new: awaits approval";
            case QUARANTINED -> "changed after approval: quarantined";
            case CHANGED -> "the server now serves a different definition";
        };
    }

    private Review review(CatalogSnapshot snap, Feature f) {
        List<String> changes = f.approvedSnapshot() == null ? List.of()
                : FeatureSnapshots.diff(f.approvedSnapshot(), f.currentSnapshot()).stream()
                .map(c -> c.path() + ": " + (c.before() == null ? "(none)" : c.before().isString() ? c.before().stringValue() : Json.string(c.before()))
                        + " → " + (c.after() == null ? "(none)" : c.after().isString() ? c.after().stringValue() : Json.string(c.after())))
                .toList();
        return new Review(row(snap, f), pretty(f.approvedSnapshot()), pretty(f.currentSnapshot()), changes, f.currentFingerprint());
    }

    private static String pretty(JsonNode n) {
        return n == null ? "(none)" : Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    }
}
