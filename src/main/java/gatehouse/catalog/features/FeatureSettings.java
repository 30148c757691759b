package gatehouse.catalog.features;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Service;

import gatehouse.catalog.CatalogService;
import gatehouse.platform.ProblemException;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.KindPolicy;
import gatehouse.policy.provisioning.ProvisioningSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A gateway's provisioning settings: a policy per kind, {@code autoApprove}, {@code approveOnAssign}
 * and its tool budget; read from the view, changed under the inventory's lock, and summarised
 * with the budget and its warning for the admin views.
 */
@Service
public class FeatureSettings {
    private final FeatureRepository repo;
    private final CatalogService catalog;
    private final FeatureViews views;
    private final ToolBudgets budgets;
    private final ProvisioningProperties props;

    FeatureSettings(FeatureRepository repo, CatalogService catalog, FeatureViews views, ToolBudgets budgets, ProvisioningProperties props) {
        this.repo = repo;
        this.catalog = catalog;
        this.views = views;
        this.budgets = budgets;
        this.props = props;
    }

    public ProvisioningSettings settings(String gatewayId) {
        catalog.gateway(gatewayId);
        return views.view().gateway(gatewayId).settings();
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
        ToolBudgets.ToolBudget b = budgets.budget(gatewayId);
        List<ProvisioningSummary.Warning> warnings = b.exceeded()
                ? List.of(new ProvisioningSummary.Warning(ToolBudgets.TOOL_BUDGET, b.warning())) : List.of();
        return new ProvisioningSummary(ProvisioningSummary.Settings.of(views.view().gateway(gatewayId).settings(), props.toolBudget()), b, warnings);
    }

    public ProvisioningSettings updateSettings(String gatewayId, SettingsChange change) {
        return views.locked(() -> updateLocked(gatewayId, change));
    }

    private ProvisioningSettings updateLocked(String gatewayId, SettingsChange change) {
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
        if (!updated.equals(settings(gatewayId)) || !views.view().gateways().containsKey(gatewayId)) {
            repo.upsertSettings(gatewayId, updated, Instant.now());
            views.reloadNow();
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
}
