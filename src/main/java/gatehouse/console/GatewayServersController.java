package gatehouse.console;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.health.ServerHealth;
import gatehouse.catalog.health.ServerHealthBoard;
import gatehouse.gateway.upstream.TokenCheck;
import gatehouse.identity.IdentityVault;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;

/** A gateway's Servers tab: which servers it bundles, with identity scheme, prefix and health; assign, change, unassign. */
@Controller("consoleGatewayServersController")
class GatewayServersController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final GatewayPages pages;
    private final CatalogService catalog;
    private final ServerHealthBoard health;
    private final IdentityVault vault;

    private final TokenCheck tokens;
    private final gatehouse.catalog.ServerProbe probe;

    GatewayServersController(ConsoleAccess access, ConsoleAudit audit, GatewayPages pages, CatalogService catalog, ServerHealthBoard health,
                             IdentityVault vault, TokenCheck tokens, gatehouse.catalog.ServerProbe probe) {
        this.probe = probe;
        this.tokens = tokens;
        this.access = access;
        this.audit = audit;
        this.pages = pages;
        this.catalog = catalog;
        this.health = health;
        this.vault = vault;
    }

    record AssignedRow(String serverId, String serverName, String transport, String identity, String prefix, ServerHealth health,
                       boolean sharedToken) {
    }

    record Choice(String id, String name, String transport) {
    }

    @GetMapping("/console/gateways/{gid}/servers")
    String tab(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Model model) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_READ);
        pages.header(viewer, g, "servers", model);
        CatalogSnapshot snap = catalog.snapshot();
        List<Assignment> assigned = snap.assignments(gid);
        model.addAttribute("assigned", assigned.stream().map(a -> {
            ServerDef s = snap.servers().get(a.serverId());
            return new AssignedRow(s.id(), s.name(), s.transport().wire(), a.identity().wire(), a.prefix(), health.of(s.id()),
                    a.identity() == IdentityScheme.SHARED && vault.hasShared(gid, s.id()));
        }).toList());
        Set<String> taken = assigned.stream().map(Assignment::serverId).collect(Collectors.toSet());
        model.addAttribute("choices", snap.servers().values().stream().filter(s -> !taken.contains(s.id()))
                .sorted(Comparator.comparing(ServerDef::name)).map(s -> new Choice(s.id(), s.name(), s.transport().wire())).toList());
        model.addAttribute("anyServer", !snap.servers().isEmpty());
        model.addAttribute("mayManage", access.may(viewer, Permission.GATEWAY_MANAGE, gid));
        model.addAttribute("mayAddServers", access.mayGlobally(viewer, Permission.GATEWAY_MANAGE));
        return "console/gateway-servers";
    }

    /**
     * Assigns a server or changes its assignment. An empty prefix field on a new assignment means the
     * default (the server's name); {@code noPrefix} exposes names unprefixed. A shared token, when
     * given, is what every connection presents to the server.
     */
    @PostMapping("/console/gateways/{gid}/servers")
    String assign(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @RequestParam String serverId,
                  @RequestParam(defaultValue = "shared") String identity, @RequestParam(required = false) String prefix,
                  @RequestParam(defaultValue = "false") boolean noPrefix, @RequestParam(required = false) String sharedToken,
                  RedirectAttributes flash) {
        access.gateway(viewer, gid, Permission.GATEWAY_MANAGE);
        String token = sharedToken == null || sharedToken.isBlank() ? null : sharedToken.strip();
        if ("personal".equals(identity) && token != null) {
            throw ProblemException.invalid("sharedToken", "a personal assignment has no shared token: each person or agent brings their own");
        }
        if (token != null) {
            // Tried against the server before anything changes, as the admin API and the wizard do.
            if (tokens.check(catalog.server(serverId), token) instanceof TokenCheck.Refused r) {
                throw ProblemException.invalid("sharedToken", "The token was not saved: " + r.why());
            }
        }
        Assignment before = current(gid, serverId);
        String p = noPrefix ? "" : prefix == null || prefix.isBlank() ? null : prefix.strip();
        Assignment a = catalog.assign(gid, serverId, identity, p, probe);
        if (token != null) {
            vault.storeShared(gid, serverId, token);
        } else if (a.identity() == IdentityScheme.PERSONAL) {
            vault.storeShared(gid, serverId, null);
        }
        audit.record(viewer, "PUT /gateways/{}/servers/{}", "/gateways/" + gid + "/servers/" + serverId, before, a);
        flash.addFlashAttribute("info", before == null ? "Server '" + catalog.server(serverId).name() + "' assigned; its tools are being discovered."
                : "Assignment of '" + catalog.server(serverId).name() + "' changed.");
        return "redirect:/console/gateways/" + gid + "/servers";
    }

    @PostMapping("/console/gateways/{gid}/servers/{sid}/unassign")
    String unassign(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String sid,
                    RedirectAttributes flash) {
        access.gateway(viewer, gid, Permission.GATEWAY_MANAGE);
        Assignment before = current(gid, sid);
        if (before == null) {
            throw ProblemException.invalid("serverId", "this server is not assigned to the gateway");
        }
        catalog.unassign(gid, sid);
        audit.record(viewer, "DELETE /gateways/{}/servers/{}", "/gateways/" + gid + "/servers/" + sid, before, null);
        flash.addFlashAttribute("info", "Server '" + catalog.server(sid).name() + "' unassigned.");
        return "redirect:/console/gateways/" + gid + "/servers";
    }

    private Assignment current(String gid, String sid) {
        return catalog.snapshot().assignments(gid).stream().filter(a -> a.serverId().equals(sid)).findFirst().orElse(null);
    }
}
