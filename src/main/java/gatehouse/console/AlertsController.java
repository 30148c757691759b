package gatehouse.console;

import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.GatewayDef;
import gatehouse.policy.access.Permission;

/** Alerts: filtered by state, type and gateway; acknowledged and resolved (or opened again). */
@Controller("consoleAlertsController")
class AlertsController {
    private static final int LIMIT = 300;
    private static final Set<String> STATES = Set.of(Alert.OPEN, Alert.ACKNOWLEDGED, Alert.RESOLVED);

    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final AlertService alerts;
    private final CatalogService catalog;

    AlertsController(ConsoleAccess access, ConsoleAudit audit, AlertService alerts, CatalogService catalog) {
        this.access = access;
        this.audit = audit;
        this.alerts = alerts;
        this.catalog = catalog;
    }

    record AlertRow(Alert alert, String gatewayName) {
    }

    /** Open and acknowledged alerts unless a state is chosen ({@code all} for every state). */
    @GetMapping("/console/alerts")
    String list(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam(required = false) String state,
                @RequestParam(required = false) String type, @RequestParam(required = false) String gateway, Model model) {
        access.requireGlobal(viewer, Permission.ALERT_MANAGE);
        String st = state == null || state.isBlank() ? "active" : state;
        String ty = type == null || type.isBlank() ? null : type;
        String gw = gateway == null || gateway.isBlank() ? null : gateway;
        List<Alert> found = STATES.contains(st) ? alerts.list(st, ty, gw, null, LIMIT)
                : alerts.list(null, ty, gw, null, LIMIT).stream().filter(a -> st.equals("all") || !Alert.RESOLVED.equals(a.state())).toList();
        var gateways = catalog.snapshot().gateways();
        model.addAttribute("alerts", found.stream().map(a -> new AlertRow(a, a.gatewayId() == null ? null
                : gateways.containsKey(a.gatewayId()) ? gateways.get(a.gatewayId()).name() : a.gatewayId())).toList());
        model.addAttribute("types", alerts.list(null, null, null, null, 2000).stream().map(Alert::type).distinct().sorted().toList());
        model.addAttribute("gateways", gateways.values().stream().sorted(java.util.Comparator.comparing(GatewayDef::name)).toList());
        model.addAttribute("state", st);
        model.addAttribute("type", ty);
        model.addAttribute("gateway", gw);
        model.addAttribute("limit", LIMIT);
        return "console/alerts";
    }

    @PostMapping("/console/alerts/{id}/state")
    String setState(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String id, @RequestParam String state,
                    jakarta.servlet.http.HttpServletRequest req, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.ALERT_MANAGE);
        Alert before = alerts.get(id);
        Alert after = alerts.setState(id, state);
        audit.record(viewer, "PATCH /alerts/{}", "/alerts/" + id, before.state(), after.state());
        flash.addFlashAttribute("info", "Alert " + (Alert.OPEN.equals(state) ? "opened again" : state) + ".");
        return "redirect:" + ConsolePages.backTo(req);
    }
}
