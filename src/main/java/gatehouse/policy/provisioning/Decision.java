package gatehouse.policy.provisioning;

/** Whether a gateway exposes a feature, and if not, why (for logs and the admin API only: clients never learn it). */
public sealed interface Decision {
    record Expose() implements Decision {
    }

    record Hide(Reason reason) implements Decision {
    }

    Decision EXPOSE = new Expose();

    enum Reason {
        /** Not in the inventory: never discovered, or not on this server at all. */
        UNKNOWN,
        /** The gateway blocks the whole kind. */
        BLOCKED,
        /** The gateway allows selected features only, and this one is not selected. */
        NOT_SELECTED,
        /** An administrator disabled it. */
        DISABLED,
        /** New since the server was assigned; awaits approval. */
        PENDING,
        /** Changed after approval. */
        QUARANTINED,
        /** What the upstream serves right now differs from the approved snapshot. */
        CHANGED
    }

    default boolean exposed() {
        return this instanceof Expose;
    }
}
