package gatehouse.identity;

import java.time.Instant;
import java.util.List;

/** A named set of permissions (wire names); built-in roles cannot be changed or deleted. */
public record Role(String id, String name, List<String> permissions, boolean builtIn, Instant createdAt) {
}
