package gatehouse.identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.catalog.CatalogService;
import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Grant;
import gatehouse.policy.access.Permission;
import gatehouse.policy.access.Scope;

/**
 * Roles (built-in and custom) and their grants to users. Administrative calls are rare, so the
 * grants of a caller are read from the database per admin request; the data plane never asks.
 */
@Service
public class Roles {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}");

    private final RoleRepository repo;
    private final Directory directory;
    private final CatalogService catalog;

    Roles(RoleRepository repo, Directory directory, CatalogService catalog) {
        this.repo = repo;
        this.directory = directory;
        this.catalog = catalog;
    }

    public List<Role> roles() {
        return repo.roles();
    }

    public Role role(String id) {
        return repo.role(id).orElseThrow(() -> ProblemException.notFound("role", id));
    }

    @Transactional
    public Role createRole(String name, List<String> permissions) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.invalid("name", "name is required: 1-128 letters, digits, spaces and . _ - (starting with a letter or digit)");
        }
        if (repo.roleByName(name).isPresent()) {
            throw ProblemException.conflict("name", "a role named '" + name + "' already exists");
        }
        Role r = new Role(Ids.id("role"), name, validPermissions(permissions), false, Instant.now());
        repo.insertRole(r);
        return role(r.id());
    }

    @Transactional
    public Role updateRole(String id, List<String> permissions) {
        Role r = role(id);
        if (r.builtIn()) {
            throw ProblemException.conflict("id", "the built-in role '" + r.name() + "' cannot be changed; create a custom role instead");
        }
        repo.updatePermissions(id, validPermissions(permissions));
        directory.reload(); // the admin permission decides who holds every gateway
        return role(id);
    }

    @Transactional
    public void deleteRole(String id) {
        Role r = role(id);
        if (r.builtIn()) {
            throw ProblemException.conflict("id", "the built-in role '" + r.name() + "' cannot be deleted");
        }
        repo.deleteRole(id);
        directory.reload();
    }

    private static List<String> validPermissions(List<String> permissions) {
        if (permissions == null) {
            throw ProblemException.invalid("permissions", "permissions is required: a list of permission names such as gateway.read");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String p : permissions) {
            if (Permission.fromWire(p).isEmpty()) {
                throw ProblemException.invalid("permissions", "unknown permission '" + p + "'; known: "
                        + String.join(", ", java.util.Arrays.stream(Permission.values()).map(Permission::wire).toList()));
            }
            out.add(p);
        }
        return List.copyOf(out);
    }

    // --- grants

    public List<RoleGrant> grantsOf(String userId) {
        directory.user(userId);
        return repo.grantsOf(userId);
    }

    /** Grants a role to a user; the same role in the same scope twice is one grant. */
    @Transactional
    public RoleGrant grant(String userId, String roleId, String gatewayId, String teamId) {
        directory.user(userId);
        role(roleId);
        if (gatewayId != null && teamId != null) {
            throw ProblemException.invalid("scope", "a scope names a gatewayId or a teamId, not both");
        }
        Scope scope = Scope.GLOBAL;
        if (gatewayId != null) {
            catalog.gateway(gatewayId);
            scope = new Scope.OnGateway(gatewayId);
        } else if (teamId != null) {
            directory.team(teamId);
            scope = new Scope.OnTeam(teamId);
        }
        for (RoleGrant g : repo.grantsOf(userId)) {
            if (g.roleId().equals(roleId) && g.scope().equals(scope)) {
                return g;
            }
        }
        RoleGrant g = new RoleGrant(Ids.id("grant"), userId, roleId, scope, Instant.now());
        repo.insertGrant(g);
        directory.reload();
        return g;
    }

    /** Removes every grant of this role to the user, in any scope. */
    @Transactional
    public void revokeRole(String userId, String roleId) {
        if (repo.deleteGrantsOfRole(userId, roleId) == 0) {
            throw ProblemException.notFound("role grant", userId + "/" + roleId);
        }
        directory.reload();
    }

    @Transactional
    public void revokeGrant(String userId, String grantId) {
        if (!repo.deleteGrant(userId, grantId)) {
            throw ProblemException.notFound("role grant", grantId);
        }
        directory.reload();
    }

    /** A user's effective grants: each granted role's permissions in its scope. A disabled user has none. */
    public List<Grant> effectiveGrants(String userId) {
        if (!directory.snapshot().enabledUsers().contains(userId)) {
            return List.of();
        }
        List<Role> roles = repo.roles();
        List<Grant> out = new ArrayList<>();
        for (RoleGrant g : repo.grantsOf(userId)) {
            roles.stream().filter(r -> r.id().equals(g.roleId())).findFirst().ifPresent(r -> out.add(new Grant(r.name(),
                    r.permissions().stream().map(p -> Permission.fromWire(p).orElseThrow()).collect(java.util.stream.Collectors.toSet()),
                    g.scope())));
        }
        return out;
    }
}
