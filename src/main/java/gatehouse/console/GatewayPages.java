package gatehouse.console;

import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;
import org.springframework.ui.Model;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.features.FeatureSettings;
import gatehouse.catalog.features.ProvisioningSummary;
import gatehouse.catalog.health.ServerHealth;
import gatehouse.catalog.health.ServerHealthBoard;
import gatehouse.platform.GatehouseProperties;
import gatehouse.policy.access.Permission;

/** What every gateway page shares: the gateway's summary row (also a row of the list), and its header with the tabs. */
@Component
class GatewayPages {
    private final ConsoleAccess access;
    private final CatalogService catalog;
    private final FeatureSettings featureSettings;
    private final ServerHealthBoard health;
    private final GatehouseProperties props;

    GatewayPages(ConsoleAccess access, CatalogService catalog, FeatureSettings featureSettings, ServerHealthBoard health, GatehouseProperties props) {
        this.access = access;
        this.catalog = catalog;
        this.featureSettings = featureSettings;
        this.health = health;
        this.props = props;
    }

    /** One gateway: counts and every warning (tool budget, pending features, unreachable servers). */
    record GatewayRow(String id, String name, String url, int servers, int tools, int connections, List<String> warnings) {
    }

    /** Which tabs the person may open, and whether they may change the gateway itself. */
    record Tabs(boolean servers, boolean tools, boolean connections, boolean logs, boolean manage, boolean rules, boolean teams) {
    }

    String url(GatewayDef g) {
        return props.publicUrlNoSlash() + "/gateway/v1/mcp?gateway=" + g.id();
    }

    GatewayRow row(GatewayDef g) {
        CatalogSnapshot snap = catalog.snapshot();
        ProvisioningSummary p = featureSettings.summary(g.id());
        List<String> warnings = new ArrayList<>(p.warnings().stream().map(ProvisioningSummary.Warning::message).toList());
        snap.assignments(g.id()).forEach(a -> {
            ServerHealth h = health.of(a.serverId());
            if (h.state() == ServerHealth.State.FAILING) {
                warnings.add("server '" + snap.servers().get(a.serverId()).name() + "' is unreachable: " + h.reason());
            }
        });
        int connections = (int) snap.connectionsById().values().stream().filter(c -> c.gatewayId().equals(g.id())).count();
        return new GatewayRow(g.id(), g.name(), url(g), snap.assignments(g.id()).size(), p.toolBudget().enabledTools(), connections, warnings);
    }

    /** The header of a gateway page: {@code gateway}, {@code tab} (the active one) and {@code tabs}. */
    void header(ConsoleAccess.Viewer viewer, GatewayDef g, String active, Model model) {
        model.addAttribute("gateway", row(g));
        model.addAttribute("tab", active);
        model.addAttribute("tabs", new Tabs(true, true, access.may(viewer, Permission.CONNECTION_MANAGE, g.id()),
                access.may(viewer, Permission.GATEWAY_LOGS, g.id()), access.may(viewer, Permission.GATEWAY_MANAGE, g.id()),
                access.may(viewer, Permission.GATEWAY_RULES, g.id()), true));
    }
}
