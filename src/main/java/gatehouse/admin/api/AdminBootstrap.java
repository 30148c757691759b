package gatehouse.admin.api;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import gatehouse.admin.tokens.AdminTokens;

/**
 * The bootstrap admin token: GATEHOUSE_ADMIN_TOKEN (replacing earlier bootstrap tokens), or, when
 * no administrator token is active, one generated and printed (only its hash is kept, so it is
 * shown this one time).
 */
@Component
@Order(0)
class AdminBootstrap implements ApplicationRunner {
    private final AdminTokens tokens;

    AdminBootstrap(AdminTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void run(ApplicationArguments args) {
        tokens.bootstrap(System.getenv("GATEHOUSE_ADMIN_TOKEN")).ifPresent(token -> {
            // Printed to stdout on purpose, once, like a database's first password; never logged again.
            System.out.println("""

                    ==================================================================
                    Gatehouse admin API token (shown once; store it safely):
                      %s
                    ==================================================================
                    """.formatted(token));
        });
    }
}
