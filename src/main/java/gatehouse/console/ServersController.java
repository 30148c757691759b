package gatehouse.console;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
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
import gatehouse.catalog.ServerCommand;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.catalog.health.ServerHealth;
import gatehouse.catalog.health.ServerHealthBoard;
import gatehouse.gateway.upstream.ServerHealthChecks;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.policy.access.Permission;

/**
 * The server catalogue: every server with its health (state, since when, last contact, why it
 * fails, and a stdio server's stderr tail), which gateways use it; adding and removing servers.
 * Environment and header values are secrets and are never shown, only their names.
 */
@Controller("consoleServersController")
class ServersController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final CatalogService catalog;
    private final ServerHealthBoard health;
    private final ServerHealthChecks checks;
    private final Upstreams upstreams;
    private final Duration checkWait;

    ServersController(ConsoleAccess access, ConsoleAudit audit, CatalogService catalog, ServerHealthBoard health, ServerHealthChecks checks,
                      Upstreams upstreams, @Value("${gatehouse.health.check-on-change-wait:3s}") Duration checkWait) {
        this.access = access;
        this.audit = audit;
        this.catalog = catalog;
        this.health = health;
        this.checks = checks;
        this.upstreams = upstreams;
        this.checkWait = checkWait;
    }

    record ServerRow(String id, String name, String transport, String target, List<String> envNames, List<String> headerNames,
                     ServerHealth health, List<String> gateways, List<String> stderr) {
    }

    /** What the audit trail keeps of a server: its definition without secret values. */
    record ServerState(String id, String name, String transport, List<String> command, String url, List<String> envNames,
                       List<String> headerNames) {
        static ServerState of(ServerDef s) {
            return new ServerState(s.id(), s.name(), s.transport().wire(), s.command(), s.url(), s.env().keySet().stream().sorted().toList(),
                    s.headers().keySet().stream().sorted().toList());
        }
    }

    @GetMapping("/console/servers")
    String list(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, Model model) {
        if (!access.maySomewhere(viewer, Permission.GATEWAY_READ)) {
            throw ConsoleAccess.forbidden(Permission.GATEWAY_READ);
        }
        CatalogSnapshot snap = catalog.snapshot();
        List<String> visible = access.visibleGateways(viewer).stream().map(g -> g.id()).toList();
        model.addAttribute("servers", snap.servers().values().stream().sorted(Comparator.comparing(ServerDef::name)).map(s -> new ServerRow(
                s.id(), s.name(), s.transport().wire(),
                s.transport() == Transport.STDIO ? String.join(" ", s.command()) : s.url(),
                s.env().keySet().stream().sorted().toList(), s.headers().keySet().stream().sorted().toList(), health.of(s.id()),
                visible.stream().filter(gid -> snap.assignments(gid).stream().anyMatch(a -> a.serverId().equals(s.id())))
                        .map(gid -> snap.gateways().get(gid).name()).toList(),
                s.transport() == Transport.STDIO ? upstreams.stderr(s.id()) : List.of())).toList());
        model.addAttribute("mayManage", access.mayGlobally(viewer, Permission.GATEWAY_MANAGE));
        return "console/servers";
    }

    /** Adds a server from a command line (stdio) or a URL (HTTP); it is checked at once and its health shown. */
    @PostMapping("/console/servers")
    String create(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String name, @RequestParam String transport,
                  @RequestParam(required = false) String command, @RequestParam(required = false) String url,
                  RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.GATEWAY_MANAGE);
        boolean stdio = "stdio".equals(transport);
        List<String> cmd = stdio && command != null && !command.isBlank() ? ServerCommand.of(List.of(command.strip()), null) : null;
        ServerDef s = catalog.createServer(new CatalogService.ServerInput(name, transport, cmd, Map.of(),
                stdio || url == null || url.isBlank() ? null : url.strip(), Map.of()));
        audit.record(viewer, "POST /servers", "/servers/" + s.id(), null, ServerState.of(s));
        ServerHealth h = checks.checkNow(s, false, checkWait);
        flash.addFlashAttribute("info", "Server '" + s.name() + "' added (" + h.state().wire()
                + (h.reason() == null ? "" : ": " + h.reason()) + "). Assign it to a gateway on the gateway's Servers tab.");
        return "redirect:/console/servers";
    }

    @PostMapping("/console/servers/{sid}/delete")
    String delete(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String sid, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.GATEWAY_MANAGE);
        ServerDef s = catalog.server(sid);
        catalog.deleteServer(sid);
        audit.record(viewer, "DELETE /servers/{}", "/servers/" + sid, ServerState.of(s), null);
        flash.addFlashAttribute("info", "Server '" + s.name() + "' removed.");
        return "redirect:/console/servers";
    }
}
