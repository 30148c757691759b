package gatehouse.catalog.features;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/** One definition a feature has had: when it was first seen, and when (if ever) it was approved. */
public record FeatureVersion(int version, String fingerprint, JsonNode snapshot, Instant seenAt, Instant approvedAt) {
}
