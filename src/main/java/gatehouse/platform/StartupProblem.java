package gatehouse.platform;

/**
 * A start that cannot go on because of something the operator gave (a configuration file, an
 * environment variable). Reported by {@link StartupProblemAnalyzer} in a few lines that say what is
 * wrong and what to do, instead of a stack trace.
 */
public class StartupProblem extends IllegalStateException {
    private final String action;

    public StartupProblem(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    public StartupProblem(String message, String action) {
        this(message, action, null);
    }

    /** What the operator can do about it. */
    public String action() {
        return action;
    }
}
