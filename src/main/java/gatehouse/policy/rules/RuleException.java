package gatehouse.policy.rules;

/** A rule that cannot be accepted: {@code field} names the input at fault (a pattern is named in the message). */
public class RuleException extends RuntimeException {
    private final String field;

    public RuleException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
