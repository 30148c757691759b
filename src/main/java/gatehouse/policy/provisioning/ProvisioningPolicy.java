package gatehouse.policy.provisioning;

import java.util.List;

import gatehouse.policy.provisioning.Decision.Hide;
import gatehouse.policy.provisioning.Decision.Reason;

/**
 * The provisioning and rug-pull rules, as pure functions of settings and state. The data plane asks
 * {@link #decide} for every listed item and every named call; discovery asks {@link #observe} for
 * every definition an upstream lists.
 */
public final class ProvisioningPolicy {

    private ProvisioningPolicy() {
    }

    /**
     * Whether a gateway exposes a feature. {@code servedFingerprint} is the fingerprint of the
     * definition being served right now (a list item), or null when there is none at hand (a call).
     */
    public static Decision decide(ProvisioningSettings settings, FeatureState state, String servedFingerprint) {
        if (state == null || state.placeholder()) {
            return new Hide(Reason.UNKNOWN);
        }
        if (settings.policy(state.kind()) == KindPolicy.BLOCK_ALL) {
            return new Hide(Reason.BLOCKED);
        }
        switch (state.status()) {
            case PENDING -> {
                return new Hide(Reason.PENDING);
            }
            case QUARANTINED -> {
                return new Hide(Reason.QUARANTINED);
            }
            case APPROVED -> {
                // fall through to the checks below
            }
        }
        if (servedFingerprint != null && !servedFingerprint.equals(state.approvedFingerprint())) {
            return new Hide(Reason.CHANGED);
        }
        if (!enabled(settings, state)) {
            return new Hide(state.enabled() == null ? Reason.NOT_SELECTED : Reason.DISABLED);
        }
        return Decision.EXPOSE;
    }

    /**
     * Whether the feature is switched on: the administrator's choice when there is one, otherwise
     * the gateway's policy for its kind (on under allow-all, off under allow-selected). Block-all
     * switches everything off.
     */
    public static boolean enabled(ProvisioningSettings settings, FeatureState state) {
        KindPolicy policy = settings.policy(state.kind());
        if (policy == KindPolicy.BLOCK_ALL) {
            return false;
        }
        return state.enabled() != null ? state.enabled() : policy == KindPolicy.ALLOW_ALL;
    }

    /**
     * Whether a resource URI may be read. A listed resource is decided on its own; an unlisted URI
     * follows the resource templates it matches (any exposed one admits it); a URI neither listed nor
     * matching a template is admitted only when the gateway allows all resources.
     */
    public static Decision decideUri(ProvisioningSettings settings, FeatureState resource, List<FeatureState> matchingTemplates) {
        if (resource != null && !resource.placeholder()) {
            return decide(settings, resource, null);
        }
        if (!matchingTemplates.isEmpty()) {
            Decision first = null;
            for (FeatureState t : matchingTemplates) {
                Decision d = decide(settings, t, null);
                if (d.exposed()) {
                    return d;
                }
                first = first == null ? d : first;
            }
            return first;
        }
        return switch (settings.policy(FeatureKind.RESOURCE)) {
            case ALLOW_ALL -> Decision.EXPOSE;
            case ALLOW_SELECTED -> new Hide(Reason.NOT_SELECTED);
            case BLOCK_ALL -> new Hide(Reason.BLOCKED);
        };
    }

    /**
     * What a listed definition with {@code fingerprint} means for {@code state} (null: never seen).
     *
     * @param firstDiscovery this is the first listing of the kind since the server was assigned, so
     *                       what it holds counts as present at assignment
     * @param authoritative  the list was fetched fresh by discovery; otherwise it may come from a
     *                       data-plane cache filled before the last approval, and a definition the
     *                       feature had before is only hidden, not treated as a change
     */
    public static Observation observe(ProvisioningSettings settings, FeatureState state, String fingerprint,
                                      boolean firstDiscovery, boolean authoritative) {
        if (state == null || state.placeholder()) {
            boolean approve = firstDiscovery ? settings.approveOnAssign() || settings.autoApprove() : settings.autoApprove();
            return new Observation.New(approve ? FeatureStatus.APPROVED : FeatureStatus.PENDING);
        }
        if (fingerprint.equals(state.currentFingerprint())) {
            return Observation.UNCHANGED;
        }
        if (!authoritative && state.knownFingerprints().contains(fingerprint)) {
            return Observation.STALE;
        }
        return switch (state.status()) {
            case APPROVED -> fingerprint.equals(state.approvedFingerprint())
                    ? new Observation.Changed(FeatureStatus.APPROVED, false)
                    : new Observation.Changed(FeatureStatus.QUARANTINED, true);
            case PENDING -> new Observation.Changed(FeatureStatus.PENDING, false);
            // Once quarantined, a feature stays so until an administrator approves it, even when the
            // upstream reverts: a server that changes what a tool does has shown it will.
            case QUARANTINED -> new Observation.Changed(FeatureStatus.QUARANTINED, false);
        };
    }
}
