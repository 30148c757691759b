package gatehouse.policy.provisioning;

import java.util.Arrays;
import java.util.Locale;

/** Where a feature stands with respect to approval. */
public enum FeatureStatus {
    /** Its current definition is the approved snapshot. */
    APPROVED,
    /** Appeared after the server was assigned; waits for an administrator. */
    PENDING,
    /** Its definition changed after approval; hidden until re-approved. */
    QUARANTINED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FeatureStatus fromWire(String wire) {
        return Arrays.stream(values()).filter(s -> s.wire().equals(wire)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown feature status '" + wire + "'"));
    }
}
