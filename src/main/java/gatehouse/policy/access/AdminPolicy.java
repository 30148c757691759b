package gatehouse.policy.access;

import java.util.Collection;

/**
 * Whether a set of grants allows a permission on a target. A global grant reaches everything; a
 * gateway grant reaches that gateway; a team grant reaches the team and the gateways it holds, so
 * a team lead can curate the team's gateways without touching any other. {@code admin} implies
 * every permission, but only within its scope.
 */
public final class AdminPolicy {
    private AdminPolicy() {
    }

    public static boolean allows(Collection<Grant> grants, Permission permission, Target target) {
        for (Grant g : grants) {
            if (g.gives(permission) && reaches(g.scope(), target)) {
                return true;
            }
        }
        return false;
    }

    /** True when some grant gives the permission, in any scope (for lists that are then filtered). */
    public static boolean allowsSomewhere(Collection<Grant> grants, Permission permission) {
        return grants.stream().anyMatch(g -> g.gives(permission));
    }

    /** True when the grants amount to full administration (the global {@code admin} permission). */
    public static boolean isAdmin(Collection<Grant> grants) {
        return grants.stream().anyMatch(g -> g.permissions().contains(Permission.ADMIN) && g.scope() instanceof Scope.Global);
    }

    static boolean reaches(Scope scope, Target target) {
        return switch (scope) {
            case Scope.Global g -> true;
            case Scope.OnGateway s -> target instanceof Target.Gateway t && t.gatewayId().equals(s.gatewayId());
            case Scope.OnTeam s -> switch (target) {
                case Target.Team t -> t.teamId().equals(s.teamId());
                case Target.Gateway t -> t.holdingTeams().contains(s.teamId());
                case Target.Everything e -> false;
            };
        };
    }
}
