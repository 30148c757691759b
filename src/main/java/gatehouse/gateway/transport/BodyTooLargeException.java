package gatehouse.gateway.transport;

public class BodyTooLargeException extends RuntimeException {
    public BodyTooLargeException(long limit) {
        super("request body exceeds the limit of " + limit + " bytes");
    }
}
