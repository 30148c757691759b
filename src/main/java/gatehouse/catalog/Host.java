package gatehouse.catalog;

import java.time.Instant;

/** An AI client installation or an API-token host (an agent, a CI pipeline). */
public record Host(String id, String name, String kind, Instant createdAt) {
}
