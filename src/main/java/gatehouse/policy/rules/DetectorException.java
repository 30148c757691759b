package gatehouse.policy.rules;

/**
 * An engine could not answer: a service down, slow or answering garbage, or a scan over its budget.
 * The message is safe to log (never the scanned text).
 */
public class DetectorException extends RuntimeException {
    public DetectorException(String message) {
        super(message);
    }

    public DetectorException(String message, Throwable cause) {
        super(message, cause);
    }
}
