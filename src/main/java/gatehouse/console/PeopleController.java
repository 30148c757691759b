package gatehouse.console;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.catalog.GatewayDef;
import gatehouse.identity.Directory;
import gatehouse.identity.Role;
import gatehouse.identity.RoleGrant;
import gatehouse.identity.Roles;
import gatehouse.identity.Team;
import gatehouse.identity.User;
import gatehouse.policy.access.Permission;

/**
 * Users, teams and roles in one page, over the same {@link Directory} and {@link Roles} as the admin
 * API: users need {@code user.manage}, teams {@code team.manage}, roles and grants {@code admin},
 * each globally (as the API's table says). Passwords are set, never shown.
 */
@Controller("consolePeopleController")
class PeopleController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final Directory directory;
    private final Roles roles;

    PeopleController(ConsoleAccess access, ConsoleAudit audit, Directory directory, Roles roles) {
        this.access = access;
        this.audit = audit;
        this.directory = directory;
        this.roles = roles;
    }

    /** A user as the page shows them: no password, their teams' names and their grants in words. */
    record UserRow(String id, String username, String email, boolean enabled, boolean locked, String source, List<String> teams,
                   List<GrantRow> grants) {
    }

    record GrantRow(String roleId, String role, String scope) {
    }

    /** What an audit entry keeps of a user: never a password. */
    record UserState(String id, String username, String email, boolean enabled) {
        static UserState of(User u) {
            return new UserState(u.id(), u.username(), u.email(), u.enabled());
        }
    }

    @GetMapping("/console/people")
    String page(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, Model model) {
        boolean users = access.mayGlobally(viewer, Permission.USER_MANAGE);
        boolean teams = access.mayGlobally(viewer, Permission.TEAM_MANAGE);
        boolean admin = access.mayGlobally(viewer, Permission.ADMIN);
        if (!users && !teams) {
            throw ConsoleAccess.forbidden(Permission.USER_MANAGE);
        }
        List<Team> allTeams = directory.teams().stream().sorted(Comparator.comparing(Team::name)).toList();
        Map<String, String> roleNames = roles.roles().stream().collect(Collectors.toMap(Role::id, Role::name));
        Map<String, String> gatewayNames = access.visibleGateways(viewer).stream().collect(Collectors.toMap(GatewayDef::id, GatewayDef::name));
        Map<String, String> teamNames = allTeams.stream().collect(Collectors.toMap(Team::id, Team::name));
        Instant now = Instant.now();
        List<User> all = directory.users().stream().sorted(Comparator.comparing(User::username)).toList();
        model.addAttribute("mayUsers", users);
        model.addAttribute("mayTeams", teams);
        model.addAttribute("mayRoles", admin);
        model.addAttribute("users", !users ? List.of() : all.stream().map(u -> new UserRow(u.id(), u.username(), u.email(), u.enabled(),
                u.lockedAt(now), u.source(), allTeams.stream().filter(t -> t.memberIds().contains(u.id())).map(Team::name).toList(),
                !admin ? List.of() : roles.grantsOf(u.id()).stream().map(g -> grant(g, roleNames, gatewayNames, teamNames)).toList())).toList());
        model.addAttribute("teams", teams ? allTeams : List.of());
        model.addAttribute("people", all);
        model.addAttribute("usernames", all.stream().collect(Collectors.toMap(User::id, User::username)));
        model.addAttribute("roles", admin ? roles.roles() : List.of());
        model.addAttribute("permissions", java.util.Arrays.stream(Permission.values()).map(Permission::wire).toList());
        model.addAttribute("gateways", access.visibleGateways(viewer));
        return "console/people";
    }

    private static GrantRow grant(RoleGrant g, Map<String, String> roles, Map<String, String> gateways, Map<String, String> teams) {
        String scope = switch (g.scope().kind()) {
            case "gateway" -> "on gateway " + gateways.getOrDefault(g.scope().id(), g.scope().id());
            case "team" -> "on team " + teams.getOrDefault(g.scope().id(), g.scope().id());
            default -> "everywhere";
        };
        return new GrantRow(g.roleId(), roles.getOrDefault(g.roleId(), g.roleId()), scope);
    }

    private static String back(RedirectAttributes flash, String info) {
        flash.addFlashAttribute("info", info);
        return "redirect:/console/people";
    }

    @PostMapping("/console/people/users")
    String createUser(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String username, @RequestParam String email,
                      @RequestParam(required = false) String password, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.USER_MANAGE);
        User u = directory.createUser(username, password == null || password.isEmpty() ? null : password, email);
        audit.record(viewer, "POST /users", "/users/" + u.id(), null, UserState.of(u));
        return back(flash, "User '" + u.username() + "' created." + (u.hasPassword() ? "" : " Without a password they sign in through SSO."));
    }

    @PostMapping("/console/people/users/{uid}")
    String updateUser(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String uid, @RequestParam(required = false) String email,
                      @RequestParam(required = false) Boolean enabled, @RequestParam(required = false) String password, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.USER_MANAGE);
        User before = directory.user(uid);
        User after = directory.updateUser(uid, email == null || email.isBlank() ? null : email, enabled,
                password == null || password.isEmpty() ? null : password);
        audit.record(viewer, "PATCH /users/{}", "/users/" + uid, UserState.of(before), UserState.of(after));
        return back(flash, "User '" + after.username() + "' saved" + (Boolean.FALSE.equals(enabled) ? ": disabled, their connections and tokens are revoked." : "."));
    }

    @PostMapping("/console/people/users/{uid}/delete")
    String deleteUser(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String uid, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.USER_MANAGE);
        User before = directory.user(uid);
        directory.deleteUser(uid);
        audit.record(viewer, "DELETE /users/{}", "/users/" + uid, UserState.of(before), null);
        return back(flash, "User '" + before.username() + "' deleted.");
    }

    /** Grants a role everywhere, or on one gateway ({@code gatewayId}); roles are the owner's business ({@code admin}). */
    @PostMapping("/console/people/users/{uid}/roles")
    String grant(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String uid, @RequestParam String roleId,
                 @RequestParam(required = false) String gatewayId, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.ADMIN);
        RoleGrant g = roles.grant(uid, roleId, gatewayId == null || gatewayId.isBlank() ? null : gatewayId, null);
        audit.record(viewer, "PUT /users/{}/roles/{}", "/users/" + uid + "/roles/" + roleId, null, g);
        return back(flash, "Role granted.");
    }

    @PostMapping("/console/people/users/{uid}/roles/{rid}/revoke")
    String revoke(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String uid, @PathVariable String rid, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.ADMIN);
        roles.revokeRole(uid, rid);
        audit.record(viewer, "DELETE /users/{}/roles/{}", "/users/" + uid + "/roles/" + rid, rid, null);
        return back(flash, "Role taken away in every scope.");
    }

    @PostMapping("/console/people/teams")
    String createTeam(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String name, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.TEAM_MANAGE);
        Team t = directory.createTeam(name);
        audit.record(viewer, "POST /teams", "/teams/" + t.id(), null, t);
        return back(flash, "Team '" + t.name() + "' created. Add members, then give it a gateway on the gateway's Teams tab.");
    }

    @PostMapping("/console/people/teams/{tid}/delete")
    String deleteTeam(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String tid, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.TEAM_MANAGE);
        Team before = directory.team(tid);
        directory.deleteTeam(tid);
        audit.record(viewer, "DELETE /teams/{}", "/teams/" + tid, before, null);
        return back(flash, "Team '" + before.name() + "' deleted.");
    }

    @PostMapping("/console/people/teams/{tid}/members")
    String addMember(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String tid, @RequestParam String userId,
                     RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.TEAM_MANAGE);
        Team before = directory.team(tid);
        Team after = directory.addMember(tid, userId);
        audit.record(viewer, "PUT /teams/{}/members/{}", "/teams/" + tid + "/members/" + userId, before, after);
        return back(flash, "Member added to '" + after.name() + "'.");
    }

    @PostMapping("/console/people/teams/{tid}/members/{uid}/remove")
    String removeMember(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String tid, @PathVariable String uid,
                        RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.TEAM_MANAGE);
        Team before = directory.team(tid);
        directory.removeMember(tid, uid);
        audit.record(viewer, "DELETE /teams/{}/members/{}", "/teams/" + tid + "/members/" + uid, before, directory.team(tid));
        return back(flash, "Member removed from '" + before.name() + "'.");
    }

    @PostMapping("/console/people/roles")
    String createRole(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String name,
                      @RequestParam(required = false) List<String> permissions, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.ADMIN);
        Role r = roles.createRole(name, permissions == null ? List.of() : permissions);
        audit.record(viewer, "POST /roles", "/roles/" + r.id(), null, r);
        return back(flash, "Role '" + r.name() + "' created.");
    }

    @PostMapping("/console/people/roles/{rid}")
    String updateRole(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String rid,
                      @RequestParam(required = false) List<String> permissions, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.ADMIN);
        Role before = roles.role(rid);
        Role after = roles.updateRole(rid, permissions == null ? List.of() : permissions);
        audit.record(viewer, "PATCH /roles/{}", "/roles/" + rid, before, after);
        return back(flash, "Role '" + after.name() + "' saved.");
    }

    @PostMapping("/console/people/roles/{rid}/delete")
    String deleteRole(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String rid, RedirectAttributes flash) {
        access.requireGlobal(viewer, Permission.ADMIN);
        Role before = roles.role(rid);
        roles.deleteRole(rid);
        audit.record(viewer, "DELETE /roles/{}", "/roles/" + rid, before, null);
        return back(flash, "Role '" + before.name() + "' deleted.");
    }
}
