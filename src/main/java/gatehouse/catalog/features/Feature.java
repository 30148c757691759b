package gatehouse.catalog.features;

import java.time.Instant;

import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureStatus;
import tools.jackson.databind.JsonNode;

/**
 * A tool, prompt, resource or resource template of one server, as one gateway exposes it.
 * {@code name} is its identity upstream (a name, a URI or a URI template); {@code enabled} is the
 * administrator's choice, or null while the gateway's policy decides; {@code present} is false once
 * discovery no longer finds it.
 */
public record Feature(String id, String gatewayId, String serverId, FeatureKind kind, String name, Boolean enabled,
                      FeatureStatus status, boolean present, String approvedFingerprint, JsonNode approvedSnapshot,
                      String currentFingerprint, JsonNode currentSnapshot, Instant firstSeenAt, Instant approvedAt,
                      Instant changedAt, Instant updatedAt) {
}
