package gatehouse.gateway.upstream;

/**
 * The upstream could not be reached at all (refused connection, unknown host, no answer to the
 * connect): it said nothing about the request or its credential.
 */
public class UpstreamUnreachableException extends UpstreamException {
    public UpstreamUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
