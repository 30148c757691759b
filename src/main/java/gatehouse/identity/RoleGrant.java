package gatehouse.identity;

import java.time.Instant;

import gatehouse.policy.access.Scope;

/** A role granted to a user, globally or scoped to one gateway or team. */
public record RoleGrant(String id, String userId, String roleId, Scope scope, Instant createdAt) {
}
