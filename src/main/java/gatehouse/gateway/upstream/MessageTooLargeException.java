package gatehouse.gateway.upstream;

/** An upstream sent a single message (body, event or line) larger than {@code gatehouse.mcp.max-upstream-message-bytes}. */
public class MessageTooLargeException extends UpstreamException {
    public MessageTooLargeException(String message) {
        super(message);
    }
}
