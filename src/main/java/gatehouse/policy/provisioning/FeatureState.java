package gatehouse.policy.provisioning;

import java.util.Set;

/**
 * What the data plane needs to know about one feature: its administrator setting ({@code enabled}
 * is null when the gateway's policy for the kind decides), its approval status, the fingerprints of
 * the approved and the last seen definitions, and every fingerprint it ever had.
 */
public record FeatureState(String id, FeatureKind kind, String name, Boolean enabled, FeatureStatus status,
                           String approvedFingerprint, String currentFingerprint, boolean present,
                           Set<String> knownFingerprints) {
    public FeatureState {
        knownFingerprints = knownFingerprints == null ? Set.of() : Set.copyOf(knownFingerprints);
    }

    /** A row created ahead of discovery (e.g. by the configuration file) that no server has listed yet. */
    public boolean placeholder() {
        return approvedFingerprint == null && currentFingerprint == null;
    }
}
