package gatehouse.policy.provisioning;

import java.util.Arrays;

/** A gateway's policy for one kind of feature. */
public enum KindPolicy {
    /** Every approved feature is exposed unless disabled one by one. */
    ALLOW_ALL("allow-all"),
    /** Only features enabled one by one are exposed. */
    ALLOW_SELECTED("allow-selected"),
    /** Nothing of this kind is exposed, whatever the per-feature setting. */
    BLOCK_ALL("block-all");

    private final String wire;

    KindPolicy(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static KindPolicy fromWire(String wire) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(wire)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown provisioning policy '" + wire
                        + "'; expected allow-all, allow-selected or block-all"));
    }
}
