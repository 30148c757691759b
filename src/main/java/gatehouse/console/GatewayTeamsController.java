package gatehouse.console;

import java.util.LinkedHashMap;
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
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.features.FeatureCommands;
import gatehouse.identity.Directory;
import gatehouse.identity.Team;
import gatehouse.policy.access.Permission;
import gatehouse.policy.provisioning.FeatureKind;

/**
 * A gateway's Teams tab: which teams hold it (their members may connect) and, per team, the subset of
 * tools they see. Reading needs {@code gateway.read}; changing, {@code gateway.manage} on the gateway,
 * as {@code PUT/DELETE /gateways/{gid}/teams/{tid}} in the API.
 */
@Controller
class GatewayTeamsController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final GatewayPages pages;
    private final Directory directory;
    private final CatalogService catalog;
    private final FeatureCommands features;

    GatewayTeamsController(ConsoleAccess access, ConsoleAudit audit, GatewayPages pages, Directory directory, CatalogService catalog,
                           FeatureCommands features) {
        this.access = access;
        this.audit = audit;
        this.pages = pages;
        this.directory = directory;
        this.catalog = catalog;
        this.features = features;
    }

    /** A team holding the gateway: {@code tools} null means every tool. */
    record Holding(String teamId, String name, int members, List<String> tools, List<String> prompts, List<String> resources) {
    }

    /** The gateway's exposed tool names, sorted: what a subset may name. */
    List<String> toolNames(String gid) {
        Map<String, Assignment> bySrv = new LinkedHashMap<>();
        catalog.snapshot().assignments(gid).forEach(a -> bySrv.put(a.serverId(), a));
        return features.features(gid).stream().filter(f -> f.kind() == FeatureKind.TOOL && bySrv.containsKey(f.serverId()))
                .map(f -> bySrv.get(f.serverId()).expose(f.name())).sorted().distinct().toList();
    }

    @GetMapping("/console/gateways/{gid}/teams")
    String teams(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Model model) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_READ);
        pages.header(viewer, g, "teams", model);
        List<Team> holding = directory.teamsOfGateway(g.id());
        model.addAttribute("holdings", holding.stream().map(t -> new Holding(t.id(), t.name(), t.memberIds().size(), t.tools().get(g.id()),
                t.prompts().get(g.id()), t.resources().get(g.id()))).toList());
        model.addAttribute("mayManage", access.may(viewer, Permission.GATEWAY_MANAGE, g.id()));
        model.addAttribute("otherTeams", directory.teams().stream().filter(t -> !t.gatewayIds().contains(g.id())).toList());
        model.addAttribute("tools", toolNames(g.id()));
        return "console/gateway-teams";
    }

    /** Holds the gateway for a team, or changes its subset: {@code all} = every tool, else the ticked {@code tools}. */
    @PostMapping("/console/gateways/{gid}/teams")
    String hold(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @RequestParam String teamId,
                @RequestParam(defaultValue = "all") String scope, @RequestParam(required = false) List<String> tools, RedirectAttributes flash) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_MANAGE);
        List<String> subset = switch (scope) {
            case "all" -> null;
            case "some" -> tools == null ? List.of() : tools;
            default -> throw new IllegalArgumentException("scope must be all or some");
        };
        Team before = directory.team(teamId);
        // the console sets tools; prompt and resource subsets (API only) stay as they are
        Team after = directory.grantGateway(g.id(), teamId, subset, before.prompts().get(g.id()), before.resources().get(g.id()));
        audit.record(viewer, "PUT /gateways/{}/teams/{}", "/gateways/" + g.id() + "/teams/" + teamId, before, after);
        flash.addFlashAttribute("info", "Team '" + after.name() + "' holds this gateway"
                + (subset == null ? " with every tool." : subset.isEmpty() ? " but sees no tool: tick some." : " with " + subset.size() + " tools."));
        return "redirect:/console/gateways/" + g.id() + "/teams";
    }

    @PostMapping("/console/gateways/{gid}/teams/{tid}/remove")
    String release(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String tid,
                   RedirectAttributes flash) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_MANAGE);
        Team before = directory.team(tid);
        directory.revokeGateway(g.id(), tid);
        audit.record(viewer, "DELETE /gateways/{}/teams/{}", "/gateways/" + g.id() + "/teams/" + tid, before, null);
        flash.addFlashAttribute("info", "Team '" + before.name() + "' no longer holds this gateway.");
        return "redirect:/console/gateways/" + g.id() + "/teams";
    }
}
