package gatehouse.alerts;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/**
 * One alert. {@code subject} names what it is about in words; the ids say it for machines.
 * {@code details} holds what the administrator needs to act (for a rug pull: the diff).
 * {@code occurrences} counts repeats of the same open alert (deduplicated), {@code lastSeen} the latest.
 */
public record Alert(String id, String type, String severity, String subject, String message, String state,
                    String gatewayId, String serverId, String featureId, JsonNode details, Instant time, Instant updatedAt,
                    int occurrences, Instant lastSeen) {

    public static final String OPEN = "open";
    public static final String ACKNOWLEDGED = "acknowledged";
    public static final String RESOLVED = "resolved";

    public static final String INFO = "info";
    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";
}
