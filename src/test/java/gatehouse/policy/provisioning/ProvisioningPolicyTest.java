package gatehouse.policy.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import gatehouse.policy.provisioning.Decision.Hide;
import gatehouse.policy.provisioning.Decision.Reason;

class ProvisioningPolicyTest {
    private static final ProvisioningSettings ALLOW_ALL = ProvisioningSettings.defaults(true);

    private static FeatureState tool(FeatureStatus status, Boolean enabled, String approved, String current, String... known) {
        return new FeatureState("ft_1", FeatureKind.TOOL, "echo", enabled, status, approved, current, true, Set.of(known));
    }

    private static Reason hidden(Decision d) {
        assertThat(d).isInstanceOf(Hide.class);
        return ((Hide) d).reason();
    }

    @Test
    void anApprovedEnabledFeatureIsExposedOnlyWhileItServesTheApprovedDefinition() {
        FeatureState s = tool(FeatureStatus.APPROVED, null, "a", "a", "a");
        assertThat(ProvisioningPolicy.decide(ALLOW_ALL, s, null).exposed()).isTrue();
        assertThat(ProvisioningPolicy.decide(ALLOW_ALL, s, "a").exposed()).isTrue();
        assertThat(hidden(ProvisioningPolicy.decide(ALLOW_ALL, s, "b"))).isEqualTo(Reason.CHANGED);
    }

    @Test
    void unknownPendingQuarantinedAndDisabledFeaturesAreHidden() {
        assertThat(hidden(ProvisioningPolicy.decide(ALLOW_ALL, null, null))).isEqualTo(Reason.UNKNOWN);
        assertThat(hidden(ProvisioningPolicy.decide(ALLOW_ALL, tool(FeatureStatus.PENDING, true, null, "a"), null))).isEqualTo(Reason.PENDING);
        assertThat(hidden(ProvisioningPolicy.decide(ALLOW_ALL, tool(FeatureStatus.QUARANTINED, true, "a", "b"), null)))
                .isEqualTo(Reason.QUARANTINED);
        assertThat(hidden(ProvisioningPolicy.decide(ALLOW_ALL, tool(FeatureStatus.APPROVED, false, "a", "a"), null))).isEqualTo(Reason.DISABLED);
        FeatureState placeholder = new FeatureState("ft_2", FeatureKind.TOOL, "later", true, FeatureStatus.PENDING, null, null, false, Set.of());
        assertThat(hidden(ProvisioningPolicy.decide(ALLOW_ALL, placeholder, null))).isEqualTo(Reason.UNKNOWN);
    }

    @Test
    void policiesPerKind() {
        ProvisioningSettings selected = ALLOW_ALL.withPolicy(FeatureKind.TOOL, KindPolicy.ALLOW_SELECTED);
        ProvisioningSettings blocked = ALLOW_ALL.withPolicy(FeatureKind.TOOL, KindPolicy.BLOCK_ALL);
        FeatureState undecided = tool(FeatureStatus.APPROVED, null, "a", "a");
        FeatureState selectedOne = tool(FeatureStatus.APPROVED, true, "a", "a");
        assertThat(hidden(ProvisioningPolicy.decide(selected, undecided, null))).isEqualTo(Reason.NOT_SELECTED);
        assertThat(ProvisioningPolicy.decide(selected, selectedOne, null).exposed()).isTrue();
        assertThat(hidden(ProvisioningPolicy.decide(blocked, selectedOne, null))).isEqualTo(Reason.BLOCKED);
        assertThat(ProvisioningPolicy.enabled(blocked, selectedOne)).isFalse();
        // another kind is not affected
        FeatureState prompt = new FeatureState("ft_3", FeatureKind.PROMPT, "p", null, FeatureStatus.APPROVED, "a", "a", true, Set.of());
        assertThat(ProvisioningPolicy.decide(blocked, prompt, null).exposed()).isTrue();
    }

    @Test
    void resourceUrisFollowTheirResourceThenTheirTemplatesThenThePolicy() {
        FeatureState template = new FeatureState("ft_t", FeatureKind.RESOURCE_TEMPLATE, "x://{id}", null, FeatureStatus.APPROVED, "a", "a", true, Set.of());
        FeatureState disabledTemplate = new FeatureState("ft_t", FeatureKind.RESOURCE_TEMPLATE, "x://{id}", false, FeatureStatus.APPROVED, "a", "a",
                true, Set.of());
        FeatureState disabledResource = new FeatureState("ft_r", FeatureKind.RESOURCE, "x://1", false, FeatureStatus.APPROVED, "a", "a", true, Set.of());
        assertThat(ProvisioningPolicy.decideUri(ALLOW_ALL, null, List.of(template)).exposed()).isTrue();
        assertThat(hidden(ProvisioningPolicy.decideUri(ALLOW_ALL, disabledResource, List.of(template)))).isEqualTo(Reason.DISABLED);
        assertThat(hidden(ProvisioningPolicy.decideUri(ALLOW_ALL, null, List.of(disabledTemplate)))).isEqualTo(Reason.DISABLED);
        assertThat(ProvisioningPolicy.decideUri(ALLOW_ALL, null, List.of()).exposed()).isTrue();
        assertThat(hidden(ProvisioningPolicy.decideUri(ALLOW_ALL.withPolicy(FeatureKind.RESOURCE, KindPolicy.ALLOW_SELECTED), null, List.of())))
                .isEqualTo(Reason.NOT_SELECTED);
        assertThat(hidden(ProvisioningPolicy.decideUri(ALLOW_ALL.withPolicy(FeatureKind.RESOURCE, KindPolicy.BLOCK_ALL), null, List.of())))
                .isEqualTo(Reason.BLOCKED);
    }

    @Test
    void whatTheFirstListingHoldsIsApprovedAndLaterFeaturesWait() {
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, null, "a", true, true)).isEqualTo(new Observation.New(FeatureStatus.APPROVED));
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, null, "a", false, true)).isEqualTo(new Observation.New(FeatureStatus.PENDING));
        ProvisioningSettings noApproveOnAssign = new ProvisioningSettings(Map.of(), false, false, null);
        assertThat(ProvisioningPolicy.observe(noApproveOnAssign, null, "a", true, true)).isEqualTo(new Observation.New(FeatureStatus.PENDING));
        ProvisioningSettings auto = new ProvisioningSettings(Map.of(), true, false, null);
        assertThat(ProvisioningPolicy.observe(auto, null, "a", false, false)).isEqualTo(new Observation.New(FeatureStatus.APPROVED));
    }

    @Test
    void aChangedApprovedDefinitionIsARugPull() {
        FeatureState s = tool(FeatureStatus.APPROVED, null, "a", "a", "a");
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, s, "a", false, true)).isEqualTo(Observation.UNCHANGED);
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, s, "b", false, true)).isEqualTo(new Observation.Changed(FeatureStatus.QUARANTINED, true));
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, s, "b", false, false)).isEqualTo(new Observation.Changed(FeatureStatus.QUARANTINED, true));
        // auto-approval covers new features only, never changes
        ProvisioningSettings auto = new ProvisioningSettings(Map.of(), true, true, null);
        assertThat(ProvisioningPolicy.observe(auto, s, "b", false, true)).isEqualTo(new Observation.Changed(FeatureStatus.QUARANTINED, true));
    }

    @Test
    void aStaleCachedListIsNotAChangeButFreshDiscoveryOfAnOldDefinitionIs() {
        FeatureState reapproved = tool(FeatureStatus.APPROVED, null, "b", "b", "a", "b");
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, reapproved, "a", false, false)).isEqualTo(Observation.STALE);
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, reapproved, "a", false, true))
                .isEqualTo(new Observation.Changed(FeatureStatus.QUARANTINED, true));
    }

    @Test
    void aQuarantinedFeatureStaysQuarantinedEvenWhenTheUpstreamReverts() {
        FeatureState q = tool(FeatureStatus.QUARANTINED, null, "a", "b", "a", "b");
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, q, "b", false, true)).isEqualTo(Observation.UNCHANGED);
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, q, "a", false, true)).isEqualTo(new Observation.Changed(FeatureStatus.QUARANTINED, false));
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, q, "c", false, true)).isEqualTo(new Observation.Changed(FeatureStatus.QUARANTINED, false));
    }

    @Test
    void aPlaceholderFromTheConfigurationCountsAsNew() {
        FeatureState placeholder = new FeatureState("ft_2", FeatureKind.TOOL, "later", true, FeatureStatus.PENDING, null, null, false, Set.of());
        assertThat(ProvisioningPolicy.observe(ALLOW_ALL, placeholder, "a", true, true)).isEqualTo(new Observation.New(FeatureStatus.APPROVED));
    }
}
