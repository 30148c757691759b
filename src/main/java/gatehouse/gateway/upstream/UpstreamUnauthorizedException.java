package gatehouse.gateway.upstream;

/**
 * The upstream answered HTTP 401: the credential Gatehouse presented (a person's, a connection's,
 * a shared one or the server's own headers) was refused. Kept apart from other failures because
 * it is not an outage: it is answered by renewing or marking the credential, never by a backoff.
 */
public class UpstreamUnauthorizedException extends UpstreamException {
    public UpstreamUnauthorizedException(String serverName) {
        super("upstream '" + serverName + "' refused the credential Gatehouse presented (HTTP 401)");
    }
}
