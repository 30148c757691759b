package gatehouse.gateway.upstream;

/**
 * A call ended because Gatehouse itself closed or left the upstream session (the client ended its
 * session, it expired, the server was redefined, a stdio process was stopped): not the server's doing,
 * so never reported as misbehaviour.
 */
public class SessionClosedException extends UpstreamException {
    public SessionClosedException(String message) {
        super(message);
    }
}
