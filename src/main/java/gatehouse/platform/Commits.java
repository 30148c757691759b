package gatehouse.platform;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Work tied to the commit of the current transaction. An in-memory view rebuilt inside the
 * transaction that changed its table can be overwritten by a periodic reload that read the table
 * just before the commit; rebuilding once more after the commit repairs that before the change's
 * caller gets its answer.
 */
public final class Commits {
    private Commits() {
    }

    /** Runs {@code r} once the current transaction has committed, or now when there is none. */
    public static void afterCommit(Runnable r) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    r.run();
                }
            });
        } else {
            r.run();
        }
    }

    /**
     * Runs {@code r} again once the current transaction has committed; nothing when there is no
     * transaction (the caller's own reload already read committed rows).
     */
    public static void againAfterCommit(Runnable r) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            afterCommit(r);
        }
    }
}
