package gatehouse.catalog.features;

import java.util.Set;

import gatehouse.policy.provisioning.FeatureKind;

/**
 * Published (as a Spring application event) when what a gateway exposes changed: a feature was
 * quarantined, approved, enabled or disabled, or a policy changed. Sessions of the gateway drop
 * their cached lists of those servers and tell their clients the lists changed.
 */
public record FeaturesChanged(String gatewayId, Set<String> serverIds, Set<FeatureKind> kinds) {
}
