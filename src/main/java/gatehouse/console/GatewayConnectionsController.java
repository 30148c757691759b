package gatehouse.console;

import java.time.Instant;
import java.util.Comparator;
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

import gatehouse.audit.LogQuery;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.Host;
import gatehouse.identity.IdentityVault;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;

/**
 * A gateway's Connections tab: who or what is connected (a person through an AI client, or an
 * agent's API token), when it was last used, the state of its own credential for each personal
 * server; disabling a connection stops it at its next message, open streams included.
 */
@Controller("consoleGatewayConnectionsController")
class GatewayConnectionsController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final GatewayPages pages;
    private final CatalogService catalog;
    private final IdentityVault vault;
    private final LogQuery logs;

    GatewayConnectionsController(ConsoleAccess access, ConsoleAudit audit, GatewayPages pages, CatalogService catalog, IdentityVault vault,
                                 LogQuery logs) {
        this.access = access;
        this.audit = audit;
        this.pages = pages;
        this.catalog = catalog;
        this.vault = vault;
        this.logs = logs;
    }

    record IdentityRow(String serverId, String serverName, String state, Instant expiresAt, String error) {
    }

    record ConnectionRow(String id, String person, String client, String kind, boolean enabled, Instant createdAt, String lastUsed,
                         List<IdentityRow> identities) {
    }

    @GetMapping("/console/gateways/{gid}/connections")
    String tab(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Model model) {
        GatewayDef g = access.gateway(viewer, gid, Permission.CONNECTION_MANAGE);
        pages.header(viewer, g, "connections", model);
        CatalogSnapshot snap = catalog.snapshot();
        Map<String, Host> hosts = catalog.hosts().stream().collect(java.util.stream.Collectors.toMap(Host::id, h -> h, (a, b) -> a));
        model.addAttribute("connections", snap.connectionsById().values().stream().filter(c -> c.gatewayId().equals(gid))
                .sorted(Comparator.comparing(Connection::createdAt)).map(c -> row(snap, hosts, c)).toList());
        return "console/gateway-connections";
    }

    private ConnectionRow row(CatalogSnapshot snap, Map<String, Host> hosts, Connection c) {
        Host host = c.hostId() == null ? null : hosts.get(c.hostId());
        String person = null;
        if (c.userId() != null) {
            try {
                person = access.username(c.userId());
            } catch (RuntimeException e) {
                person = c.userId();
            }
        }
        List<Map<String, Object>> last = logs.find(new LogQuery.Filter(null, c.id(), null, null, null, null, null, 1));
        List<IdentityRow> identities = vault.states(c).stream().map(s -> new IdentityRow(s.serverId(),
                snap.servers().containsKey(s.serverId()) ? snap.servers().get(s.serverId()).name() : s.serverId(), s.state(), s.expiresAt(),
                s.error())).toList();
        return new ConnectionRow(c.id(), person, host == null ? null : host.name(), c.userId() != null ? "person" : "API token", c.enabled(),
                c.createdAt(), last.isEmpty() ? null : (String) last.getFirst().get("time"), identities);
    }

    @PostMapping("/console/gateways/{gid}/connections/{cid}/enabled")
    String enabled(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String cid,
                   @RequestParam boolean enabled, RedirectAttributes flash) {
        access.gateway(viewer, gid, Permission.CONNECTION_MANAGE);
        Connection before = ofGateway(gid, cid);
        Connection after = catalog.setConnectionEnabled(cid, enabled);
        audit.record(viewer, "PATCH /connections/{}", "/connections/" + cid, AppsController.ConnectionState.of(before),
                AppsController.ConnectionState.of(after));
        flash.addFlashAttribute("info", enabled ? "Connection enabled." : "Connection disabled: it is refused from its next message on.");
        return "redirect:/console/gateways/" + gid + "/connections";
    }

    /** Wipes the connection's credential for one server: calls there tell the person to reconnect. */
    @PostMapping("/console/gateways/{gid}/connections/{cid}/identities/{sid}/revoke")
    String revoke(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String cid,
                  @PathVariable String sid, RedirectAttributes flash) {
        access.gateway(viewer, gid, Permission.CONNECTION_MANAGE);
        Connection c = ofGateway(gid, cid);
        vault.revoke(c, sid);
        audit.record(viewer, "POST /connections/{}/identities/{}/revoke", "/connections/" + cid + "/identities/" + sid, null, "revoked");
        flash.addFlashAttribute("info", "Credential revoked.");
        return "redirect:/console/gateways/" + gid + "/connections";
    }

    /** The connection, if it belongs to this gateway; any other answers like a missing one. */
    private Connection ofGateway(String gid, String cid) {
        Connection c = catalog.snapshot().connectionsById().get(cid);
        if (c == null || !c.gatewayId().equals(gid)) {
            throw ProblemException.notFound("connection", cid);
        }
        return c;
    }
}
