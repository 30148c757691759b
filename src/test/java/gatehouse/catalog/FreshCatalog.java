package gatehouse.catalog;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;

import gatehouse.platform.SecretBox;

/**
 * Test access to what a second Gatehouse instance would read from the same database: a new
 * {@link CatalogService} that loads everything afresh, sharing nothing with the running one but
 * the database and the master key.
 */
public final class FreshCatalog {
    private final CatalogService service;

    public FreshCatalog(JdbcClient jdbc, SecretBox secrets) {
        this.service = new CatalogService(new CatalogRepository(jdbc, secrets), event -> { }); // tells nobody of changes
    }

    public CatalogSnapshot snapshot() {
        return service.snapshot();
    }

    public List<Host> hosts() {
        return service.hosts();
    }
}
