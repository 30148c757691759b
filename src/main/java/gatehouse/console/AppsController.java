package gatehouse.console;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.Host;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;

/**
 * Apps &amp; Agents: hosts (AI clients that signed in with OAuth, and API-token hosts such as agents
 * and CI pipelines) with their connections, and the wizard that connects an agent to a gateway and
 * shows its URL and token once (Gatehouse keeps only the token's hash).
 */
@Controller("consoleAppsController")
class AppsController {
    static final String API_TOKEN_KIND = "api-token";

    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final CatalogService catalog;
    private final GatewayPages pages;

    AppsController(ConsoleAccess access, ConsoleAudit audit, CatalogService catalog, GatewayPages pages) {
        this.access = access;
        this.audit = audit;
        this.catalog = catalog;
        this.pages = pages;
    }

    record ConnectionRow(String id, String gatewayId, String gatewayName, boolean enabled, Instant createdAt) {
    }

    record HostRow(String id, String name, String kind, Instant createdAt, List<ConnectionRow> connections) {
    }

    record GatewayChoice(String id, String name) {
    }

    /** What the audit trail keeps of a connection: never its token. */
    record ConnectionState(String id, String gatewayId, String hostId, boolean enabled) {
        static ConnectionState of(Connection c) {
            return new ConnectionState(c.id(), c.gatewayId(), c.hostId(), c.enabled());
        }
    }

    @GetMapping("/console/apps")
    String list(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, Model model) {
        access.requireGlobal(viewer, Permission.CONNECTION_MANAGE);
        CatalogSnapshot snap = catalog.snapshot();
        model.addAttribute("hosts", catalog.hosts().stream().sorted(Comparator.comparing(Host::createdAt)).map(h -> new HostRow(h.id(), h.name(),
                h.kind(), h.createdAt(), snap.connectionsById().values().stream().filter(c -> h.id().equals(c.hostId()))
                .sorted(Comparator.comparing(Connection::createdAt))
                .map(c -> new ConnectionRow(c.id(), c.gatewayId(), gatewayName(snap, c.gatewayId()), c.enabled(), c.createdAt())).toList()))
                .toList());
        model.addAttribute("gateways", gatewayChoices(viewer));
        return "console/apps";
    }

    private static String gatewayName(CatalogSnapshot snap, String gid) {
        GatewayDef g = snap.gateways().get(gid);
        return g == null ? gid : g.name();
    }

    private List<GatewayChoice> gatewayChoices(ConsoleAccess.Viewer viewer) {
        return access.visibleGateways(viewer).stream().map(g -> new GatewayChoice(g.id(), g.name())).toList();
    }

    /** The wizard's one form: a new agent by name (or an existing API-token host) and the gateway it may use. */
    @GetMapping("/console/apps/new")
    String wizard(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam(required = false) String host,
                  @RequestParam(required = false) String gateway, Model model) {
        access.requireGlobal(viewer, Permission.CONNECTION_MANAGE);
        model.addAttribute("apiHosts", catalog.hosts().stream().filter(h -> API_TOKEN_KIND.equals(h.kind())).toList());
        model.addAttribute("gateways", gatewayChoices(viewer));
        model.addAttribute("selectedHost", host);
        model.addAttribute("selectedGateway", gateway);
        return "console/apps-new";
    }

    /**
     * Creates the host (when named) and the connection, and answers the page that shows the token:
     * rendered here, never redirected to or stored, and not cached by the browser.
     */
    @PostMapping("/console/apps/new")
    String connect(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam(required = false) String hostId,
                   @RequestParam(required = false) String name, @RequestParam String gatewayId, HttpServletResponse resp, Model model) {
        access.requireGlobal(viewer, Permission.CONNECTION_MANAGE);
        GatewayDef g = access.gateway(viewer, gatewayId, Permission.CONNECTION_MANAGE);
        Host host;
        if (hostId != null && !hostId.isBlank()) {
            host = catalog.host(hostId);
        } else {
            if (name == null || name.isBlank()) {
                throw ProblemException.invalid("name", "name the app or agent, or choose one that exists");
            }
            host = catalog.createHost(name.strip(), API_TOKEN_KIND);
            audit.record(viewer, "POST /hosts", "/hosts/" + host.id(), null, host);
        }
        CatalogService.IssuedConnection issued = catalog.createConnection(host.id(), g.id());
        audit.record(viewer, "POST /hosts/{}/connections", "/hosts/" + host.id() + "/connections/" + issued.connection().id(), null,
                ConnectionState.of(issued.connection()));
        resp.setHeader("Cache-Control", "no-store");
        String url = pages.url(g);
        model.addAttribute("host", host);
        model.addAttribute("gatewayName", g.name());
        model.addAttribute("url", url);
        model.addAttribute("token", issued.token());
        String key = GatewaysController.clientKey(g.name());
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("type", "http");
        server.put("url", url);
        server.put("headers", Map.of("Authorization", "Bearer " + issued.token()));
        model.addAttribute("mcpJson", Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("mcpServers", Map.of(key, server))));
        model.addAttribute("claudeCommand", "claude mcp add --transport http " + key + " \"" + url + "\" --header \"Authorization: Bearer "
                + issued.token() + "\"");
        return "console/apps-issued";
    }

    @PostMapping("/console/apps/{hid}/delete")
    String deleteHost(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String hid, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.CONNECTION_MANAGE);
        Host h = catalog.host(hid);
        catalog.deleteHost(hid);
        audit.record(viewer, "DELETE /hosts/{}", "/hosts/" + hid, h, null);
        flash.addFlashAttribute("info", "'" + h.name() + "' and its connections removed.");
        return "redirect:/console/apps";
    }
}
