package gatehouse.identity;

import java.util.Map;
import java.util.Set;

import gatehouse.policy.access.ToolAccess;

/**
 * What the data plane needs to know about people, read without touching the database: which users
 * may sign in at all, which gateways each user's teams hold, each user's teams, and each gateway's
 * per-team tool subsets.
 *
 * @param teamsByUser      every team a user belongs to
 * @param subsetsByGateway for each gateway, its holding teams and their tool subsets; a team mapped
 *                         to null sees every tool (the map allows null values and is never changed)
 */
public record DirectorySnapshot(Set<String> enabledUsers, Map<String, Set<String>> gatewaysByUser,
                                Map<String, Set<String>> teamsByUser, Map<String, Map<String, Set<String>>> subsetsByGateway) {

    /** True when the user exists, is enabled, and one of their teams holds the gateway. */
    public boolean holds(String userId, String gatewayId) {
        return enabledUsers.contains(userId) && gatewaysByUser.getOrDefault(userId, Set.of()).contains(gatewayId);
    }

    public Set<String> gatewaysOf(String userId) {
        return enabledUsers.contains(userId) ? gatewaysByUser.getOrDefault(userId, Set.of()) : Set.of();
    }

    /**
     * The tools of a gateway this caller may list and call: a person's union over their teams that
     * hold it; an API-token connection (no user) every tool.
     */
    public ToolAccess toolAccess(String userId, String gatewayId) {
        if (userId == null) {
            return ToolAccess.ALL;
        }
        return ToolAccess.decide(teamsByUser.getOrDefault(userId, Set.of()), subsetsByGateway.getOrDefault(gatewayId, Map.of()));
    }
}
