package gatehouse.gateway.upstream;

/** An upstream could not be reached, broke the protocol, or went away mid-call. */
public class UpstreamException extends RuntimeException {
    public UpstreamException(String message) {
        super(message);
    }

    public UpstreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
