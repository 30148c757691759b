package gatehouse.policy.access;

import java.util.Set;

/** The permissions of one role, granted to a user within one scope. */
public record Grant(String roleName, Set<Permission> permissions, Scope scope) {
    public Grant {
        if (roleName == null || scope == null) {
            throw new IllegalArgumentException("a grant names its role and scope");
        }
        permissions = Set.copyOf(permissions);
    }

    boolean gives(Permission p) {
        return permissions.contains(Permission.ADMIN) || permissions.contains(p);
    }
}
