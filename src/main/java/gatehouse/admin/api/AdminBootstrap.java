package gatehouse.admin.api;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.admin.tokens.WeakAdminTokenException;
import gatehouse.platform.StartupProblem;
import gatehouse.platform.StartupReport;

/**
 * The bootstrap admin token: GATEHOUSE_ADMIN_TOKEN (replacing earlier bootstrap tokens), or, when
 * no administrator token is active, one generated and printed (only its hash is kept, so it is
 * shown this one time, by {@link StartupReport} once start-up has succeeded).
 */
@Component
@Order(0)
class AdminBootstrap implements ApplicationRunner {
    private final AdminTokens tokens;
    private final StartupReport report;

    AdminBootstrap(AdminTokens tokens, StartupReport report) {
        this.tokens = tokens;
        this.report = report;
    }

    @Override
    public void run(ApplicationArguments args) {
        try {
            tokens.bootstrap(System.getenv("GATEHOUSE_ADMIN_TOKEN")).ifPresent(token -> report.showOnce(
                    new StartupReport.Secret("Admin API token (or set GATEHOUSE_ADMIN_TOKEN):", java.util.List.of(token))));
        } catch (WeakAdminTokenException e) {
            throw new StartupProblem(e.getMessage(), "Set GATEHOUSE_ADMIN_TOKEN to a longer random value, e.g. $(openssl rand -hex 32), "
                    + "or unset it to have one generated.", e);
        }
    }
}
