package gatehouse.platform;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link StartupProblem} into Spring Boot's short "APPLICATION FAILED TO START" report
 * (description and action, no stack trace at the default log level). Registered in
 * {@code META-INF/spring.factories}.
 */
public class StartupProblemAnalyzer extends AbstractFailureAnalyzer<StartupProblem> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, StartupProblem cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
