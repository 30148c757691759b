package gatehouse.authserver;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * A {@code client_id} that is an https URL is a client ID metadata document
 * ({@link ClientMetadataDocuments}): fetched, validated and saved as a public client under an id
 * derived from the URL, then reused until its cache time ends, when it is fetched again; a document
 * that can no longer be fetched or validated makes the client unknown ({@code invalid_client} /
 * {@code invalid_request} from Spring's endpoints).
 */
public class GatehouseClients implements RegisteredClientRepository {
    private final JdbcRegisteredClientRepository delegate;
    private final JdbcClient jdbc;
    private static final Logger log = LoggerFactory.getLogger(GatehouseClients.class);
    private final CatalogService catalog;
    private final ClientMetadataDocuments documents;
    /** Metadata document URL to when its saved client must be fetched again. */
    private final Map<String, Instant> fresh = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public GatehouseClients(JdbcTemplate template, JdbcClient jdbc, CatalogService catalog, ClientMetadataDocuments documents) {
        this.delegate = new JdbcRegisteredClientRepository(template);
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.documents = documents;
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
        if (ClientMetadataDocuments.isUrl(clientId)) {
            return metadataDocumentClient(clientId);
        }
        return delegate.findByClientId(clientId);
    }

    private RegisteredClient metadataDocumentClient(String url) {
        synchronized (locks.computeIfAbsent(url, k -> new Object())) {
            Instant until = fresh.get(url);
            if (until != null && Instant.now().isBefore(until)) {
                RegisteredClient saved = delegate.findByClientId(url);
                if (saved != null) {
                    return saved;
                }
            }
            fresh.remove(url);
            ClientMetadataDocuments.Resolved r;
            try {
                r = documents.resolve(url);
            } catch (ClientMetadataDocuments.Refused e) {
                log.info("client metadata document {} refused: {}", url, e.getMessage());
                return null;
            }
            RegisteredClient saved = delegate.findById(r.client().getId());
            RegisteredClient client = saved == null ? r.client()
                    : RegisteredClient.from(r.client()).clientIdIssuedAt(saved.getClientIdIssuedAt()).build();
            delegate.save(client);
            catalog.ensureInteractiveHost(client.getId(), client.getClientName());
            fresh.put(url, r.expires());
            if (locks.size() > 10_000) {
                locks.clear();
            }
            return client;
        }
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
        fresh.keySet().removeIf(url -> ClientMetadataDocuments.idFor(url).equals(id));
        try {
            catalog.deleteHost(id);
        } catch (ProblemException e) {
            // no host row (registered before hosts were mirrored): nothing more to remove
        }
    }
}
