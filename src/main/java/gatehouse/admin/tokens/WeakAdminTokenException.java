package gatehouse.admin.tokens;

/** An operator-chosen admin token refused: shorter than the minimum, or with characters a bearer header cannot carry. */
public class WeakAdminTokenException extends IllegalArgumentException {
    public WeakAdminTokenException(String message) {
        super(message);
    }
}
