package gatehouse.catalog.features;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;
import gatehouse.audit.O200kCount;
import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.GatewayDef;
import gatehouse.platform.Json;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.ProvisioningPolicy;
import gatehouse.policy.provisioning.ProvisioningView;
import gatehouse.policy.provisioning.ProvisioningView.GatewayFeatures;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tool budget of each gateway: how many tools it exposes against its limit, and how many
 * tokens their definitions cost a model on every request. Checked when the application is ready
 * and after every published view; a gateway over budget has a {@code tool-budget} alert until it
 * is back under.
 */
@Service
public class ToolBudgets {
    private static final Logger log = LoggerFactory.getLogger(ToolBudgets.class);
    public static final String TOOL_BUDGET = "tool-budget";

    private final FeatureRepository repo;
    private final AlertService alerts;
    private final CatalogService catalog;
    private final FeatureViews views;
    private final ProvisioningProperties props;
    /** The o200k count the log uses too (its vocabulary is loaded once and shared). */
    private final O200kCount tokenizer = new O200kCount();
    private final Map<String, ToolBudget> budgets = new ConcurrentHashMap<>();
    private final Map<String, Boolean> budgetAlerted = new ConcurrentHashMap<>();
    private volatile boolean ready;

    ToolBudgets(FeatureRepository repo, AlertService alerts, CatalogService catalog, FeatureViews views, ProvisioningProperties props) {
        this.repo = repo;
        this.alerts = alerts;
        this.catalog = catalog;
        this.views = views;
        this.props = props;
    }

    @EventListener(ApplicationReadyEvent.class)
    void ready() {
        ready = true;
        checkBudgets();
    }

    /** Checked again after every published view (not before the application runs: no alerts then). */
    @EventListener
    void viewPublished(FeatureViewPublished published) {
        if (ready) {
            checkBudgets();
        }
    }

    /** Enabled tools against the budget, and the size in tokens of the tool list a client receives. */
    public record ToolBudget(int limit, int enabledTools, int toolListTokens, boolean exceeded) {
        public String warning() {
            return exceeded ? enabledTools + " tools are enabled, more than the budget of " + limit
                    + ": models choose tools less reliably, and each model request carries ~" + toolListTokens
                    + " tokens of tool definitions; disable tools or split the gateway" : null;
        }
    }

    public ToolBudget budget(String gatewayId) {
        CatalogSnapshot snap = catalog.snapshot();
        ProvisioningView v = views.view();
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
            tokens = tokenizer.count(Json.string(result));
        }
        ToolBudget b = new ToolBudget(limit, exposedById.size(), tokens, exposedById.size() > limit);
        if (budgets.size() > 1000) {
            budgets.clear();
        }
        budgets.put(cacheKey, b);
        return b;
    }

    /** Raises the budget alert of every gateway over its budget and resolves it for those back under. */
    void checkBudgets() {
        for (GatewayDef g : catalog.snapshot().gateways().values()) {
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
