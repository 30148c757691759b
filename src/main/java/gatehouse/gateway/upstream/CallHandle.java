package gatehouse.gateway.upstream;

/**
 * Lets the caller of {@link UpstreamSession#call} cancel the call from another thread (a client's
 * {@code notifications/cancelled}).
 */
public final class CallHandle {
    private volatile UpstreamSession session;
    private volatile PendingCall pending;
    private volatile boolean cancelRequested;
    private volatile String reason;

    void bind(UpstreamSession session, PendingCall pending) {
        this.session = session;
        this.pending = pending;
        if (cancelRequested) {
            session.cancel(pending, reason);
        }
    }

    public void cancel(String reason) {
        this.reason = reason;
        cancelRequested = true;
        UpstreamSession s = session;
        PendingCall p = pending;
        if (s != null && p != null) {
            s.cancel(p, reason);
        }
    }
}
