package gatehouse.gateway.session;

/** The process holds as many sessions as it may: a new one must wait (answered 503). */
public class SessionLimitException extends RuntimeException {
    public SessionLimitException() {
        super("too many open sessions; close unused sessions or try later");
    }
}
