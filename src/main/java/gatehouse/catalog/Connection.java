package gatehouse.catalog;

import java.time.Instant;

/** One pathway from a host (or user) to a gateway; the unit an administrator disables. */
public record Connection(String id, String gatewayId, String hostId, String userId, boolean enabled,
                         String tokenHash, Instant createdAt) {
}
