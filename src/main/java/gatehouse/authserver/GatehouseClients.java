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
import gatehouse.platform.LogSafe;
import gatehouse.platform.ProblemException;

/**
 * Registered OAuth clients (Spring's JDBC repository), each mirrored by a host of kind
 * {@code interactive} with the same id, so its connections hang off it like any other host's. Adds
 * what Spring's repository lacks: listing and deleting (with the client's grants and connections).
 * A {@code client_id} that is an https URL is a client ID metadata document
 * ({@link ClientMetadataDocuments}): fetched, validated and saved as a public client under an id
 * derived from the URL, then reused until its cache time ends, when it is fetched again; a document
 * that can no longer be fetched or validated makes the client unknown ({@code invalid_client} /
 * {@code invalid_request} from Spring's endpoints). Until a person approves such a client it lives
 * only in a bounded in-memory cache: anonymous requests with fresh URLs create no rows and no
 * hosts, and cannot grow memory without limit; approval ({@link #persistConsented}) saves it.
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
    /** Fetched documents nobody has approved yet, by registered-client id, least recently used first. */
    private final Map<String, ClientMetadataDocuments.Resolved> unconsented;

    public GatehouseClients(JdbcTemplate template, JdbcClient jdbc, CatalogService catalog, ClientMetadataDocuments documents) {
        this(template, jdbc, catalog, documents, 1000);
    }

    public GatehouseClients(JdbcTemplate template, JdbcClient jdbc, CatalogService catalog, ClientMetadataDocuments documents,
                            int unconsentedMax) {
        this.delegate = new JdbcRegisteredClientRepository(template);
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.documents = documents;
        this.unconsented = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ClientMetadataDocuments.Resolved> eldest) {
                return size() > unconsentedMax;
            }
        });
    }

    @Override
    @Transactional
    public void save(RegisteredClient client) {
        delegate.save(client);
        catalog.ensureInteractiveHost(client.getId(), client.getClientName());
    }

    @Override
    public RegisteredClient findById(String id) {
        RegisteredClient saved = delegate.findById(id);
        if (saved != null) {
            return saved;
        }
        ClientMetadataDocuments.Resolved pending = unconsented.get(id);
        return pending == null ? null : pending.client();
    }

    /** A person approved this client: a metadata-document client still only in memory is saved now, with its host. */
    public void persistConsented(String registeredClientId) {
        ClientMetadataDocuments.Resolved pending = unconsented.remove(registeredClientId);
        if (pending == null || delegate.findById(registeredClientId) != null) {
            return;
        }
        delegate.save(pending.client());
        catalog.ensureInteractiveHost(pending.client().getId(), pending.client().getClientName());
        fresh.put(pending.client().getClientId(), pending.expires());
    }

    /** How many fetched documents wait for approval (in memory). */
    public int unconsentedCount() {
        return unconsented.size();
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
            try {
                RegisteredClient saved = delegate.findByClientId(url);
                Instant until = fresh.get(url);
                if (saved != null && until != null && Instant.now().isBefore(until)) {
                    return saved;
                }
                String id = ClientMetadataDocuments.idFor(url);
                ClientMetadataDocuments.Resolved pending = saved == null ? unconsented.get(id) : null;
                if (pending != null && Instant.now().isBefore(pending.expires())) {
                    return pending.client();
                }
                fresh.remove(url);
                ClientMetadataDocuments.Resolved r;
                try {
                    r = documents.resolve(url);
                } catch (ClientMetadataDocuments.Refused e) {
                    log.info("client metadata document {} refused: {}", LogSafe.url(url), LogSafe.text(e.getMessage()));
                    unconsented.remove(id);
                    return null;
                }
                if (saved == null) {
                    unconsented.put(id, r); // not a client (nor a host) until someone approves it
                    return r.client();
                }
                RegisteredClient client = RegisteredClient.from(r.client()).clientIdIssuedAt(saved.getClientIdIssuedAt()).build();
                delegate.save(client);
                catalog.ensureInteractiveHost(client.getId(), client.getClientName());
                fresh.put(url, r.expires());
                return client;
            } finally {
                if (locks.size() > 10_000) {
                    locks.clear();
                }
            }
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
