package gatehouse.authserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.sun.net.httpserver.HttpServer;

import gatehouse.platform.Json;
import gatehouse.testing.GatewayTestSupport;

/**
 * Client ID Metadata Documents: a client whose client_id is the URL of its metadata, served here by
 * an in-process HTTP server on loopback (the shared test context allows http on loopback).
 */
class ClientMetadataDocumentTest extends GatewayTestSupport {
    private static final String REDIRECT = "http://localhost:7777/callback";
    private static final String PASSWORD = "correct horse battery";

    record Served(int status, String contentType, String body) {
    }

    @Autowired
    GatehouseClients clients;
    @Autowired
    JdbcTemplate jdbcTemplate;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    OAuthProperties props;

    private final Map<String, Served> documents = new ConcurrentHashMap<>();
    private final Map<String, Integer> fetches = new ConcurrentHashMap<>();
    private HttpServer server;
    private String gw;
    private String user;

    @BeforeAll
    void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            fetches.merge(path, 1, Integer::sum);
            Served s = documents.getOrDefault(path, new Served(404, "text/plain", "not found"));
            byte[] body = s.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", s.contentType());
            exchange.getResponseHeaders().add("Cache-Control", "max-age=300");
            exchange.sendResponseHeaders(s.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        gw = admin.createGateway(unique("cimd"));
        user = unique("carla");
        admin.person(user, PASSWORD, "c@example.com", gw);
    }

    @AfterAll
    void tearDown() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Serves a document at {@code path} whose client_id is {@code clientId}; returns the document's URL. */
    private String serve(String path, String clientId, List<String> redirects) {
        documents.put(path, new Served(200, "application/json", Json.string(Map.of("client_id", clientId, "client_name", "Metadata Client",
                "redirect_uris", redirects, "grant_types", List.of("authorization_code", "refresh_token"),
                "response_types", List.of("code"), "token_endpoint_auth_method", "none"))));
        return url(path);
    }

    private String resource() {
        return PUBLIC_URL + "/gateway/v1/mcp?gateway=" + gw;
    }

    @Test
    void aClientIdentifiedByItsMetadataUrlConnectsAndRefreshes() {
        String clientId = url("/ok/client.json");
        serve("/ok/client.json", clientId, List.of(REDIRECT));
        OAuthDriver d = new OAuthDriver(baseUrl());
        String verifier = OAuthDriver.verifier();

        OAuthDriver.Outcome o = d.walk(d.authorizeUrl(clientId, REDIRECT, verifier, resource(), "cimd-state"), user, PASSWORD, null, Map.of(), true);

        assertThat(o.redirect()).as("pages %s", o.pages()).startsWith(REDIRECT + "?");
        assertThat(o.param("state")).isEqualTo("cimd-state");
        assertThat(o.param("code")).isNotNull();
        String confirm = o.pages().stream().filter(p -> p.hasForm("approve")).findFirst().orElseThrow().body();
        assertThat(confirm).contains("Metadata Client");
        OAuthDriver.Tokens t = d.exchange(clientId, o.param("code"), verifier, REDIRECT);
        assertThat(t.status()).as(t.body().toString()).isEqualTo(200);
        assertThat(t.claims().path("aud").toString()).contains(resource());
        assertThat(t.refresh()).isNotBlank();
        OAuthDriver.Tokens refreshed = d.refresh(clientId, t.refresh());
        assertThat(refreshed.status()).as(refreshed.body().toString()).isEqualTo(200);
        assertThat(fetches.get("/ok/client.json")).as("cached (max-age) across authorize and token requests").isEqualTo(1);
        assertThat(clients.all()).as("saved once approved").anyMatch(c -> c.getClientId().equals(clientId));
        assertThat(catalog.hosts()).anyMatch(h -> h.id().equals(ClientMetadataDocuments.idFor(clientId)));
    }

    private void refusedAtAuthorize(String clientId, String redirect) {
        OAuthDriver d = new OAuthDriver(baseUrl());
        OAuthDriver.Page p = d.get(d.authorizeUrl(clientId, redirect, OAuthDriver.verifier(), resource(), "s"));
        assertThat(p.status()).as(p.body()).isEqualTo(400);
        assertThat(p.location()).isNull();
    }

    @Test
    void aDocumentWhoseClientIdIsNotItsUrlIsRefused() {
        String clientId = serve("/mismatch/client.json", url("/other/client.json"), List.of(REDIRECT));
        refusedAtAuthorize(clientId, REDIRECT);
        assertThat(fetches.get("/mismatch/client.json")).isEqualTo(1);
    }

    @Test
    void aRedirectUriNotInTheDocumentIsNeverRedirectedTo() {
        String clientId = url("/redirects/client.json");
        serve("/redirects/client.json", clientId, List.of(REDIRECT));
        refusedAtAuthorize(clientId, "http://localhost:7778/callback");
        refusedAtAuthorize(clientId, "https://evil.example/callback");
    }

    @Test
    void anOversizedOrNonJsonDocumentIsRefused() {
        String big = url("/big/client.json");
        String pad = "x".repeat(ClientMetadataDocuments.MAX_BYTES);
        documents.put("/big/client.json", new Served(200, "application/json", Json.string(Map.of("client_id", big,
                "redirect_uris", List.of(REDIRECT), "token_endpoint_auth_method", "none", "pad", pad))));
        refusedAtAuthorize(big, REDIRECT);
        String html = url("/html/client.json");
        documents.put("/html/client.json", new Served(200, "text/html", Json.string(Map.of("client_id", html, "redirect_uris", List.of(REDIRECT)))));
        refusedAtAuthorize(html, REDIRECT);
        refusedAtAuthorize(url("/missing/client.json"), REDIRECT);
    }

    @Test
    void aDocumentWithASecretMethodIsRefused() {
        String clientId = url("/secret/client.json");
        documents.put("/secret/client.json", new Served(200, "application/json", Json.string(Map.of("client_id", clientId,
                "redirect_uris", List.of(REDIRECT), "token_endpoint_auth_method", "client_secret_basic"))));
        refusedAtAuthorize(clientId, REDIRECT);
    }

    @Test
    void withoutTheLoopbackFlagOnlyHttpsOnPublicAddressesIsFetched() {
        OAuthProperties strict = new OAuthProperties(Duration.ofHours(1), Duration.ofDays(30), Duration.ofMinutes(2), 60, 1000, List.of(), false, 30, 300, 1000);
        ClientMetadataDocuments docs = new ClientMetadataDocuments(strict);
        String clientId = url("/strict/client.json");
        serve("/strict/client.json", clientId, List.of(REDIRECT));
        assertThatThrownBy(() -> docs.resolve(clientId)).isInstanceOf(ClientMetadataDocuments.Refused.class).hasMessageContaining("https");
        assertThatThrownBy(() -> docs.resolve("https://127.0.0.1:" + server.getAddress().getPort() + "/strict/client.json"))
                .isInstanceOf(ClientMetadataDocuments.Refused.class).hasMessageContaining("public address");
        assertThatThrownBy(() -> docs.resolve("https://10.1.2.3/client.json")).hasMessageContaining("public address");
        assertThatThrownBy(() -> docs.resolve("https://[::1]/client.json")).hasMessageContaining("public address");
        assertThatThrownBy(() -> docs.resolve("https://example.com/")).hasMessageContaining("path");
        assertThat(fetches.get("/strict/client.json")).isNull();
        // the flag on: the same document resolves
        OAuthProperties dev = new OAuthProperties(Duration.ofHours(1), Duration.ofDays(30), Duration.ofMinutes(2), 60, 1000, List.of(), true, 30, 300, 1000);
        assertThat(new ClientMetadataDocuments(dev).resolve(clientId).client().getRedirectUris()).containsExactly(REDIRECT);
    }

    @Test
    void anonymousRequestsWithFreshUrlsCreateNoClientsAndNoHosts() {
        long clientsBefore = clients.count();
        int hostsBefore = catalog.hosts().size();
        for (int i = 0; i < 5; i++) {
            String clientId = url("/anon-" + i + "/client.json");
            serve("/anon-" + i + "/client.json", clientId, List.of(REDIRECT));
            OAuthDriver d = new OAuthDriver(baseUrl());
            OAuthDriver.Page p = d.get(d.authorizeUrl(clientId, REDIRECT, OAuthDriver.verifier(), resource(), "s"));
            assertThat(p.status()).as("sent to sign in, the document was valid").isBetween(300, 399);
            assertThat(fetches.get("/anon-" + i + "/client.json")).isEqualTo(1);
        }
        assertThat(clients.count()).as("no client saved before anyone approved").isEqualTo(clientsBefore);
        assertThat(catalog.hosts()).as("no host either").hasSize(hostsBefore);
    }

    @Test
    void theUnconsentedCacheIsBounded() {
        GatehouseClients small = new GatehouseClients(jdbcTemplate, jdbc, catalog, new ClientMetadataDocuments(props), 3);
        long before = small.count();
        for (int i = 0; i < 6; i++) {
            String clientId = url("/bounded-" + i + "/client.json");
            serve("/bounded-" + i + "/client.json", clientId, List.of(REDIRECT));
            assertThat(small.findByClientId(clientId)).isNotNull();
        }
        assertThat(small.unconsentedCount()).isEqualTo(3);
        assertThat(small.count()).isEqualTo(before);
        String newest = url("/bounded-5/client.json");
        small.persistConsented(ClientMetadataDocuments.idFor(newest));
        assertThat(small.count()).as("saved once approved").isEqualTo(before + 1);
        assertThat(catalog.hosts()).anyMatch(h -> h.id().equals(ClientMetadataDocuments.idFor(newest)));
    }

    @Test
    void fetchesAreRateLimitedPerHost() {
        OAuthProperties limited = new OAuthProperties(Duration.ofHours(1), Duration.ofDays(30), Duration.ofMinutes(2), 60, 1000, List.of(), true, 2, 300, 1000);
        ClientMetadataDocuments docs = new ClientMetadataDocuments(limited);
        for (int i = 0; i < 2; i++) {
            String clientId = url("/limited-" + i + "/client.json");
            serve("/limited-" + i + "/client.json", clientId, List.of(REDIRECT));
            assertThat(docs.resolve(clientId)).isNotNull();
        }
        String third = url("/limited-2/client.json");
        serve("/limited-2/client.json", third, List.of(REDIRECT));
        assertThatThrownBy(() -> docs.resolve(third)).hasMessageContaining("too many");
        assertThat(fetches.get("/limited-2/client.json")).as("not even fetched").isNull();
    }

    @Test
    void cacheTimesFollowMaxAgeWithinBounds() {
        assertThat(ClientMetadataDocuments.cacheFor("public, max-age=600")).isEqualTo(Duration.ofMinutes(10));
        assertThat(ClientMetadataDocuments.cacheFor("max-age=5")).isEqualTo(ClientMetadataDocuments.MIN_CACHE);
        assertThat(ClientMetadataDocuments.cacheFor("max-age=99999999")).isEqualTo(ClientMetadataDocuments.MAX_CACHE);
        assertThat(ClientMetadataDocuments.cacheFor(null)).isEqualTo(ClientMetadataDocuments.DEFAULT_CACHE);
    }
}
