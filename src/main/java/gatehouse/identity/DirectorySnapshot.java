package gatehouse.identity;

import java.util.Map;
import java.util.Set;

/**
 * What the data plane needs to know about people, read without touching the database: which users
 * may sign in at all, and which gateways each user's teams hold.
 */
public record DirectorySnapshot(Set<String> enabledUsers, Map<String, Set<String>> gatewaysByUser) {

    /** True when the user exists, is enabled, and one of their teams holds the gateway. */
    public boolean holds(String userId, String gatewayId) {
        return enabledUsers.contains(userId) && gatewaysByUser.getOrDefault(userId, Set.of()).contains(gatewayId);
    }

    public Set<String> gatewaysOf(String userId) {
        return enabledUsers.contains(userId) ? gatewaysByUser.getOrDefault(userId, Set.of()) : Set.of();
    }
}
