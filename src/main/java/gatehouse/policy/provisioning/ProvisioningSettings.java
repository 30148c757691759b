package gatehouse.policy.provisioning;

import java.util.EnumMap;
import java.util.Map;

/**
 * A gateway's provisioning settings: a policy per kind, whether features that appear after a
 * server was assigned are approved without review ({@code autoApprove}), whether the features
 * found when a server is first assigned are approved by that act ({@code approveOnAssign}), and
 * the tool budget (null: the installation's default).
 */
public record ProvisioningSettings(Map<FeatureKind, KindPolicy> policies, boolean autoApprove, boolean approveOnAssign,
                                   Integer toolBudget) {
    public ProvisioningSettings {
        EnumMap<FeatureKind, KindPolicy> all = new EnumMap<>(FeatureKind.class);
        for (FeatureKind k : FeatureKind.values()) {
            KindPolicy p = policies == null ? null : policies.get(k);
            all.put(k, p == null ? KindPolicy.ALLOW_ALL : p);
        }
        policies = Map.copyOf(all);
        if (toolBudget != null && toolBudget < 0) {
            throw new IllegalArgumentException("toolBudget must be 0 or more");
        }
    }

    /** What a gateway gets until an administrator changes it: allow all, nothing auto-approved. */
    public static ProvisioningSettings defaults(boolean approveOnAssign) {
        return new ProvisioningSettings(Map.of(), false, approveOnAssign, null);
    }

    public KindPolicy policy(FeatureKind kind) {
        return policies.get(kind);
    }

    public ProvisioningSettings withPolicy(FeatureKind kind, KindPolicy policy) {
        EnumMap<FeatureKind, KindPolicy> p = new EnumMap<>(policies);
        p.put(kind, policy);
        return new ProvisioningSettings(p, autoApprove, approveOnAssign, toolBudget);
    }
}
