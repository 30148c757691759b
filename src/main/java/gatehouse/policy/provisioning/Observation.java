package gatehouse.policy.provisioning;

/** What one listed definition means for the feature it belongs to. */
public sealed interface Observation {
    /** Nothing to record. */
    record Unchanged() implements Observation {
    }

    /** A definition the feature had before, seen in a list that may be stale (a data-plane cache): hide it, record nothing. */
    record Stale() implements Observation {
    }

    /** A feature seen for the first time; it starts with {@code status}. */
    record New(FeatureStatus status) implements Observation {
    }

    /**
     * The definition differs from the last one recorded; the feature moves to {@code status}.
     * {@code rugPull} is true when an approved feature changed under its approval.
     */
    record Changed(FeatureStatus status, boolean rugPull) implements Observation {
    }

    Observation UNCHANGED = new Unchanged();
    Observation STALE = new Stale();
}
