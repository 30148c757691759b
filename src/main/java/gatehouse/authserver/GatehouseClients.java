package gatehouse.authserver;

import java.util.List;
import java.util.Objects;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.catalog.CatalogService;
import gatehouse.platform.ProblemException;

/**
 * Registered OAuth clients (Spring's JDBC repository), each mirrored by a host of kind
 * {@code interactive} with the same id, so its connections hang off it like any other host's. Adds
 * what Spring's repository lacks: listing and deleting (with the client's grants and connections).
 */
public class GatehouseClients implements RegisteredClientRepository {
    private final JdbcRegisteredClientRepository delegate;
    private final JdbcClient jdbc;
    private final CatalogService catalog;

    public GatehouseClients(JdbcTemplate template, JdbcClient jdbc, CatalogService catalog) {
        this.delegate = new JdbcRegisteredClientRepository(template);
        this.jdbc = jdbc;
        this.catalog = catalog;
    }

    @Override
    @Transactional
    public void save(RegisteredClient client) {
        delegate.save(client);
        catalog.ensureInteractiveHost(client.getId(), client.getClientName());
    }

    @Override
    public RegisteredClient findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public RegisteredClient findByClientId(String clientId) {
        return delegate.findByClientId(clientId);
    }

    public List<RegisteredClient> all() {
        return jdbc.sql("SELECT id FROM oauth2_registered_client ORDER BY client_id_issued_at, id").query(String.class).list()
                .stream().map(delegate::findById).filter(Objects::nonNull).toList();
    }

    public long count() {
        return jdbc.sql("SELECT COUNT(*) FROM oauth2_registered_client").query(Long.class).single();
    }

    /** Removes the registration, its grants and consents, and its host with every connection. */
    @Transactional
    public void delete(String id) {
        if (delegate.findById(id) == null) {
            throw ProblemException.notFound("client", id);
        }
        jdbc.sql("DELETE FROM oauth2_authorization WHERE registered_client_id = ?").param(id).update();
        jdbc.sql("DELETE FROM oauth2_authorization_consent WHERE registered_client_id = ?").param(id).update();
        jdbc.sql("DELETE FROM oauth2_registered_client WHERE id = ?").param(id).update();
        try {
            catalog.deleteHost(id);
        } catch (ProblemException e) {
            // no host row (registered before hosts were mirrored): nothing more to remove
        }
    }
}
