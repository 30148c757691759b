package gatehouse.admin.api;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.identity.Role;
import gatehouse.identity.RoleGrant;
import gatehouse.identity.Roles;

/** Roles (built-in and custom) and their grants to users, globally or scoped to a gateway or team. */
@RestController
@RequestMapping("/api/v1")
class RolesController {
    private final Roles roles;

    RolesController(Roles roles) {
        this.roles = roles;
    }

    record RoleInput(String name, List<String> permissions) {
    }

    @PostMapping("/roles")
    @ResponseStatus(HttpStatus.CREATED)
    Role create(@RequestBody RoleInput in) {
        return roles.createRole(in.name(), in.permissions());
    }

    @GetMapping("/roles")
    List<Role> list() {
        return roles.roles();
    }

    @GetMapping("/roles/{rid}")
    Role get(@PathVariable String rid) {
        return roles.role(rid);
    }

    @PatchMapping("/roles/{rid}")
    Role update(@PathVariable String rid, @RequestBody RoleInput in) {
        return roles.updateRole(rid, in.permissions());
    }

    @DeleteMapping("/roles/{rid}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String rid) {
        roles.deleteRole(rid);
    }

    record ScopeInput(String gatewayId, String teamId) {
    }

    record GrantInput(ScopeInput scope) {
    }

    record GrantView(String id, String userId, String roleId, String scope, String scopeId, java.time.Instant createdAt) {
        static GrantView of(RoleGrant g) {
            return new GrantView(g.id(), g.userId(), g.roleId(), g.scope().kind(), g.scope().id(), g.createdAt());
        }
    }

    /** Grants the role; {@code scope} absent = everywhere, {@code {gatewayId}} or {@code {teamId}} = there only. */
    @PutMapping("/users/{uid}/roles/{rid}")
    GrantView grant(@PathVariable String uid, @PathVariable String rid, @RequestBody(required = false) GrantInput in) {
        ScopeInput scope = in == null ? null : in.scope();
        return GrantView.of(roles.grant(uid, rid, scope == null ? null : scope.gatewayId(), scope == null ? null : scope.teamId()));
    }

    @GetMapping("/users/{uid}/roles")
    List<GrantView> grants(@PathVariable String uid) {
        return roles.grantsOf(uid).stream().map(GrantView::of).toList();
    }

    /** Takes the role away in every scope. */
    @DeleteMapping("/users/{uid}/roles/{rid}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String uid, @PathVariable String rid) {
        roles.revokeRole(uid, rid);
    }
}
