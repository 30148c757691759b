package gatehouse.admin.api;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import gatehouse.identity.Directory;
import gatehouse.identity.Roles;
import gatehouse.policy.access.AdminPolicy;
import gatehouse.policy.access.Grant;
import gatehouse.policy.access.Permission;
import gatehouse.policy.access.Scope;
import gatehouse.policy.access.Target;

/** The admin API's one way to ask what a caller may do: the caller's grants against the pure policy. */
@Component
class AdminAccess {
    private static final List<Grant> FULL = List.of(new Grant("admin-token", Set.of(Permission.ADMIN), Scope.GLOBAL));

    private final Roles roles;
    private final Directory directory;

    AdminAccess(Roles roles, Directory directory) {
        this.roles = roles;
        this.directory = directory;
    }

    List<Grant> grants(AdminCaller caller) {
        return caller.isAdministratorToken() ? FULL : roles.effectiveGrants(caller.userId());
    }

    Target gateway(String gatewayId) {
        return new Target.Gateway(gatewayId, directory.snapshot().subsetsByGateway().getOrDefault(gatewayId, Map.of()).keySet());
    }

    Target team(String teamId) {
        return new Target.Team(teamId);
    }

    boolean allows(AdminCaller caller, Permission p, Target target) {
        return AdminPolicy.allows(grants(caller), p, target);
    }

    boolean mayReadGateway(AdminCaller caller, String gatewayId) {
        return allows(caller, Permission.GATEWAY_READ, gateway(gatewayId));
    }

    boolean mayManageTeam(AdminCaller caller, String teamId) {
        return allows(caller, Permission.TEAM_MANAGE, team(teamId));
    }

    boolean mayOnGateway(AdminCaller caller, Permission p, String gatewayId) {
        return allows(caller, p, gateway(gatewayId));
    }
}
