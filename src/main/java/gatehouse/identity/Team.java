package gatehouse.identity;

import java.time.Instant;
import java.util.List;

/** A group of users; teams hold gateways. */
public record Team(String id, String name, List<String> memberIds, List<String> gatewayIds, Instant createdAt) {
}
