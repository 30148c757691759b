package gatehouse.identity;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import gatehouse.platform.Ids;
import gatehouse.platform.StartupReport;

/**
 * The first person: {@code GATEHOUSE_ADMIN_USER} (default {@code admin}) with
 * {@code GATEHOUSE_ADMIN_PASSWORD}, or a generated password printed once. A configured password is
 * applied again at each start, so an operator who lost it can set a new one this way. The first
 * person holds the built-in owner role (global {@code admin}), so they can administer from the web
 * console and connect an MCP client to every gateway without any team set-up (administrators hold
 * every gateway); an existing bootstrap user without any role gets it at start. The generated
 * password is shown by {@link StartupReport} once start-up has succeeded.
 */
@Component
@Order(1)
class AdminUserBootstrap implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(AdminUserBootstrap.class);
    /** The built-in role holding the global {@code admin} permission (V10_1). */
    static final String OWNER_ROLE = "role_owner";

    private final Directory directory;
    private final Roles roles;
    private final StartupReport report;

    AdminUserBootstrap(Directory directory, Roles roles, StartupReport report) {
        this.directory = directory;
        this.roles = roles;
        this.report = report;
    }

    @Override
    public void run(ApplicationArguments args) {
        String username = env("GATEHOUSE_ADMIN_USER", "admin");
        String configured = System.getenv("GATEHOUSE_ADMIN_PASSWORD");
        var existing = directory.userByUsername(username);
        if (existing.isPresent() && roles.grantsOf(existing.get().id()).isEmpty()) {
            // Created before roles existed (or never given one): the first person administers, in the console too.
            roles.grant(existing.get().id(), OWNER_ROLE, null, null);
        }
        if (existing.isPresent()) {
            if (configured != null && !configured.isBlank() && !directory.passwordMatches(existing.get().id(), configured)) {
                directory.resetPassword(existing.get().id(), configured);
                log.info("password of '{}' set from GATEHOUSE_ADMIN_PASSWORD", username);
            }
            return;
        }
        if (configured != null && !configured.isBlank()) {
            var u = directory.createUser(username, null, null);
            directory.resetPassword(u.id(), configured);
            roles.grant(u.id(), OWNER_ROLE, null, null);
            log.info("created the bootstrap user '{}' (password from GATEHOUSE_ADMIN_PASSWORD)", username);
            return;
        }
        String password = Ids.random(20);
        var u = directory.createUser(username, null, null);
        directory.resetPassword(u.id(), password);
        roles.grant(u.id(), OWNER_ROLE, null, null);
        report.showOnce(new StartupReport.Secret("Sign-in (change it, or set GATEHOUSE_ADMIN_PASSWORD):",
                java.util.List.of("user:     " + username, "password: " + password)));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }
}
