package gatehouse.platform;

/**
 * A control-plane failure that becomes an RFC 9457 problem detail. {@code field} names the input
 * at fault, when there is one, so a client can point at it.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final String field;

    public ProblemException(int status, String title, String detail, String field) {
        super(detail);
        this.status = status;
        this.title = title;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(404, "Not found", what + " '" + id + "' does not exist", null);
    }

    public static ProblemException invalid(String field, String detail) {
        return new ProblemException(400, "Invalid request", detail, field);
    }

    public static ProblemException conflict(String field, String detail) {
        return new ProblemException(409, "Conflict", detail, field);
    }
}
