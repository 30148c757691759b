package gatehouse.admin.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import gatehouse.catalog.CatalogService;
import gatehouse.platform.Ids;

/**
 * The first admin token: from GATEHOUSE_ADMIN_TOKEN, or generated once and printed (only its hash
 * is kept, so it is shown this one time).
 */
@Component
@Order(0)
class AdminBootstrap implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    private final CatalogService catalog;

    AdminBootstrap(CatalogService catalog) {
        this.catalog = catalog;
    }

    @Override
    public void run(ApplicationArguments args) {
        String configured = System.getenv("GATEHOUSE_ADMIN_TOKEN");
        if (configured != null && !configured.isBlank()) {
            catalog.addAdminToken(configured.trim(), "bootstrap (GATEHOUSE_ADMIN_TOKEN)");
            return;
        }
        if (catalog.adminTokenCount() == 0) {
            String token = Ids.secret("gha");
            catalog.addAdminToken(token, "bootstrap (generated)");
            // Printed to stdout on purpose, once, like a database's first password; never logged again.
            System.out.println("""

                    ==================================================================
                    Gatehouse admin API token (shown once; store it safely):
                      %s
                    ==================================================================
                    """.formatted(token));
        }
    }
}
