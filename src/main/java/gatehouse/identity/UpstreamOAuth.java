package gatehouse.identity;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

import gatehouse.alerts.AlertService;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.platform.AddressPolicy;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Ids;
import gatehouse.platform.Json;
import gatehouse.platform.LogSafe;
import gatehouse.platform.OutboundHttp;
import gatehouse.platform.ProblemException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Gatehouse as the OAuth client of upstream servers, for personal identities: discovery (the
 * upstream's 401 {@code WWW-Authenticate} names its RFC 9728 resource metadata, which names the
 * authorization server, whose RFC 8414 metadata gives the endpoints), RFC 7591 registration of
 * Gatehouse's callback, authorization code with PKCE S256, {@code state} and the RFC 8707
 * {@code resource}, then refresh ahead of expiry. A refresh that fails marks the identity
 * {@code refresh-failed} and raises an alert; the next call through it tells the person to reconnect.
 *
 * <p>Pending authorizations live in this replica's memory for ten minutes: the browser comes back
 * to the replica that sent it away only with a sticky load balancer (noted in docs/deployment.md).
 */
@Service
public class UpstreamOAuth {
    private static final Logger log = LoggerFactory.getLogger(UpstreamOAuth.class);
    public static final String CALLBACK_PATH = "/connect/upstream/callback";
    /** Where Gatehouse serves its own Client ID Metadata Document, the {@code client_id} it uses where an upstream accepts one. */
    public static final String CLIENT_METADATA_PATH = "/oauth/upstream-client.json";
    static final Duration REFRESH_AHEAD = Duration.ofSeconds(120);
    private static final Duration PENDING_TTL = Duration.ofMinutes(10);
    private static final Duration DISCOVERY_TTL = Duration.ofMinutes(5);
    private static final Pattern RESOURCE_METADATA = Pattern.compile("resource_metadata=\"([^\"]+)\"");

    private final CredentialStore store;
    private final AlertService alerts;
    private final CatalogService catalog;
    private final GatehouseProperties props;
    private final UpstreamOAuthProperties outbound;
    private final UpstreamClients clients;
    private final HttpClient http;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Client> registrations = new ConcurrentHashMap<>();
    private final Map<String, Discovered> discovered = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> refreshLocks = new ConcurrentHashMap<>();

    /** An upstream's authorization server, as discovered and checked. */
    public record Metadata(String issuer, String authorizationEndpoint, String tokenEndpoint, String registrationEndpoint,
                           String resource, List<String> scopes, boolean issParameterSupported, OutboundHttp.Policy policy,
                           boolean clientMetadataDocumentSupported) {
    }

    private record Discovered(ServerDef server, Optional<Metadata> metadata, Instant at) {
    }

    private record Client(String clientId, String clientSecret) {
    }

    private record Pending(String userId, String serverId, String wizardState, String verifier, Metadata metadata, Client client,
                           Instant until) {
    }

    /** Where the person goes back to after the upstream's callback. */
    public record Completed(String wizardState, String serverId) {
    }

    UpstreamOAuth(CredentialStore store, AlertService alerts, CatalogService catalog, GatehouseProperties props,
                  UpstreamOAuthProperties outbound, UpstreamClients clients) {
        this.clients = clients;
        this.store = store;
        this.alerts = alerts;
        this.catalog = catalog;
        this.props = props;
        this.outbound = outbound;
        this.http = HttpClient.newBuilder().connectTimeout(props.mcp().connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private String callback() {
        return props.publicUrlNoSlash() + CALLBACK_PATH;
    }

    // --- discovery

    /** The upstream's OAuth metadata when it asks for OAuth; empty when it does not (or is not HTTP). */
    public Optional<Metadata> discover(ServerDef server) {
        if (server.transport() == Transport.STDIO || server.url() == null) {
            return Optional.empty();
        }
        Discovered d = discovered.get(server.id());
        if (d != null && d.server().equals(server) && d.at().isAfter(Instant.now().minus(DISCOVERY_TTL))) {
            return d.metadata();
        }
        Optional<Metadata> m;
        try {
            m = discoverNow(server);
        } catch (RuntimeException e) {
            log.info("OAuth discovery of server {} failed: {}", server.name(), LogSafe.text(e.getMessage()));
            m = Optional.empty();
        }
        discovered.put(server.id(), new Discovered(server, m, Instant.now()));
        return m;
    }

    /**
     * Where this server's OAuth traffic may go: public addresses; private ones when the server's own
     * URL is private (an internal server with an internal authorization server) or when allowed;
     * loopback only when allowed (tests). Never link-local, metadata or other special addresses.
     */
    OutboundHttp.Policy policyFor(ServerDef server) {
        boolean privateOk = outbound.privateAddressesAllowed();
        if (!privateOk && server != null && server.url() != null) {
            try {
                URI u = URI.create(server.url());
                privateOk = u.getHost() != null && java.util.Arrays.stream(java.net.InetAddress.getAllByName(u.getHost()))
                        .allMatch(a -> AddressPolicy.classify(a) == AddressPolicy.PRIVATE);
            } catch (IOException | IllegalArgumentException e) {
                privateOk = false;
            }
        }
        return new OutboundHttp.Policy(AddressPolicy.allowed(privateOk, outbound.loopbackAllowed()), outbound.timeout(), outbound.maxBytes());
    }

    private Optional<Metadata> discoverNow(ServerDef server) {
        // A ping without a session: an open server refuses it without creating anything; one that
        // wants OAuth answers 401 with its resource metadata. The server's URL is the administrator's
        // choice; every URL after it comes from the server and goes through the outbound policy.
        HttpRequest.Builder probe = HttpRequest.newBuilder(URI.create(server.url())).timeout(props.mcp().connectTimeout())
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":\"gatehouse-oauth-probe\",\"method\":\"ping\"}"));
        server.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Authorization")) {
                probe.setHeader(k, v);
            }
        });
        HttpResponse<Void> resp = probe(probe.build());
        if (resp.statusCode() != 401) {
            return Optional.empty();
        }
        OutboundHttp.Policy policy = policyFor(server);
        URI mcp = URI.create(server.url());
        String prm = resp.headers().allValues("WWW-Authenticate").stream().map(RESOURCE_METADATA::matcher)
                .filter(Matcher::find).map(x -> x.group(1)).findFirst()
                .orElse(origin(mcp) + "/.well-known/oauth-protected-resource" + (mcp.getPath() == null ? "" : mcp.getPath()));
        JsonNode resource = getJson(prm, policy);
        String resourceId = resource.path("resource").asString(null);
        if (resourceId == null || !protects(resourceId, mcp)) {
            // RFC 9728 section 3.3: metadata for another resource must not be used (impersonation).
            throw new IllegalStateException("resource metadata at " + LogSafe.url(prm) + " describes resource "
                    + LogSafe.url(String.valueOf(resourceId)) + ", not this server's URL");
        }
        String issuer = resource.path("authorization_servers").path(0).asString(null);
        if (issuer == null) {
            throw new IllegalStateException("resource metadata at " + LogSafe.url(prm) + " names no authorization server");
        }
        OutboundHttp.checkUrl(uri(issuer), policy);
        JsonNode as = authorizationServerMetadata(issuer, policy);
        List<String> scopes = new ArrayList<>();
        resource.path("scopes_supported").forEach(s -> scopes.add(s.asString()));
        String authorize = as.path("authorization_endpoint").asString(null);
        String token = as.path("token_endpoint").asString(null);
        if (authorize == null || token == null) {
            throw new IllegalStateException("authorization server " + LogSafe.url(issuer) + " has no authorization or token endpoint");
        }
        String registration = as.path("registration_endpoint").asString(null);
        // Mix-up defence: every endpoint on the issuer's own origin, so a server cannot pair a real
        // authorization endpoint with a token endpoint of its own.
        for (String endpoint : java.util.Arrays.asList(authorize, token, registration)) {
            if (endpoint != null && !sameOrigin(uri(endpoint), uri(issuer))) {
                throw new IllegalStateException("authorization server " + LogSafe.url(issuer) + " lists an endpoint on another origin ("
                        + LogSafe.url(endpoint) + ")");
            }
            if (endpoint != null) {
                OutboundHttp.checkUrl(uri(endpoint), policy);
            }
        }
        return Optional.of(new Metadata(issuer, authorize, token, registration, resourceId, List.copyOf(scopes),
                as.path("authorization_response_iss_parameter_supported").asBoolean(false), policy,
                as.path("client_id_metadata_document_supported").asBoolean(false)));
    }

    /** RFC 9728 section 3.3, read for a server reached at a URL: the resource is that URL or a parent of it on the same origin. */
    static boolean protects(String resource, URI serverUrl) {
        URI r;
        try {
            r = new URI(resource);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        if (r.getRawQuery() != null || r.getRawFragment() != null || r.getHost() == null || !sameOrigin(r, serverUrl)) {
            return false;
        }
        String rp = trimSlash(r.getRawPath());
        String sp = trimSlash(serverUrl.getRawPath());
        return sp.equals(rp) || rp.isEmpty() || sp.startsWith(rp + "/");
    }

    private static String trimSlash(String p) {
        String s = p == null ? "" : p;
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && b.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && b.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static URI uri(String s) {
        try {
            return new URI(s);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("not a URL: " + LogSafe.url(s));
        }
    }

    /**
     * RFC 8414 (path inserted after the well-known prefix), then OpenID Connect discovery; the
     * document's {@code issuer} must be exactly the issuer asked for (RFC 8414 section 3.3).
     */
    private JsonNode authorizationServerMetadata(String issuer, OutboundHttp.Policy policy) {
        URI u = uri(issuer);
        String path = u.getPath() == null || u.getPath().equals("/") ? "" : u.getPath().replaceAll("/$", "");
        List<String> candidates = List.of(origin(u) + "/.well-known/oauth-authorization-server" + path,
                origin(u) + "/.well-known/openid-configuration" + path, issuer.replaceAll("/$", "") + "/.well-known/openid-configuration");
        RuntimeException last = null;
        for (String c : candidates) {
            JsonNode doc;
            try {
                doc = getJson(c, policy);
            } catch (RuntimeException e) {
                last = e;
                continue;
            }
            String claimed = doc.path("issuer").asString(null);
            if (claimed == null || !trimSlash(claimed).equals(trimSlash(issuer))) {
                throw new IllegalStateException("authorization server metadata at " + LogSafe.url(c) + " names issuer "
                        + LogSafe.url(String.valueOf(claimed)) + ", not " + LogSafe.url(issuer));
            }
            return doc;
        }
        throw new IllegalStateException("no authorization server metadata for " + LogSafe.url(issuer)
                + (last == null ? "" : ": " + LogSafe.text(last.getMessage())));
    }

    // --- authorization

    /**
     * Whether the wizard can send a person to this server's own sign-in: it asks for OAuth (its
     * metadata is discoverable) or an administrator configured its client with both endpoints.
     */
    public boolean offersSignIn(ServerDef server) {
        return metadataFor(server).isPresent();
    }

    /**
     * The server's authorization server as Gatehouse will use it: discovered metadata, with a
     * pre-registered client's endpoints and scopes taking precedence; the configured endpoints
     * alone when the upstream publishes no metadata.
     */
    Optional<Metadata> metadataFor(ServerDef server) {
        Optional<UpstreamClients.OAuthClient> configured = clients.oauth(server.id());
        Optional<Metadata> found = discover(server);
        if (configured.isEmpty()) {
            return found;
        }
        UpstreamClients.OAuthClient c = configured.get();
        if (found.isPresent()) {
            Metadata m = found.get();
            return Optional.of(new Metadata(m.issuer(), c.hasEndpoints() ? c.authorizationEndpoint() : m.authorizationEndpoint(),
                    c.hasEndpoints() ? c.tokenEndpoint() : m.tokenEndpoint(), m.registrationEndpoint(), m.resource(),
                    c.scopes().isEmpty() ? m.scopes() : c.scopes(), m.issParameterSupported() && !c.hasEndpoints(), m.policy(),
                    m.clientMetadataDocumentSupported()));
        }
        if (!c.hasEndpoints() || server.url() == null) {
            return Optional.empty();
        }
        // No metadata: the administrator's endpoints, no resource indicator (nothing names the resource).
        return Optional.of(new Metadata(null, c.authorizationEndpoint(), c.tokenEndpoint(), null, null, c.scopes(), false,
                policyFor(server), false));
    }

    /** The upstream's authorize URL for this person and server; registers Gatehouse first if needed. */
    public URI begin(String userId, ServerDef server, String wizardState) {
        Metadata m = metadataFor(server).orElseThrow(() -> ProblemException.invalid("serverId",
                "server '" + server.name() + "' does not ask for OAuth; paste a token instead"));
        Client client = clientFor(server, m);
        String verifier = Ids.random(48);
        String state = Ids.random(32);
        pending.values().removeIf(p -> p.until().isBefore(Instant.now()));
        pending.put(state, new Pending(userId, server.id(), wizardState, verifier, m, client, Instant.now().plus(PENDING_TTL)));
        Map<String, String> q = new LinkedHashMap<>();
        q.put("response_type", "code");
        q.put("client_id", client.clientId());
        q.put("redirect_uri", callback());
        q.put("code_challenge", challenge(verifier));
        q.put("code_challenge_method", "S256");
        q.put("state", state);
        if (m.resource() != null) {
            q.put("resource", m.resource());
        }
        if (!m.scopes().isEmpty()) {
            q.put("scope", String.join(" ", m.scopes()));
        }
        String sep = m.authorizationEndpoint().contains("?") ? "&" : "?";
        return URI.create(m.authorizationEndpoint() + sep + form(q));
    }

    /**
     * Which client Gatehouse is at this upstream: the administrator's pre-registered one; else its
     * Client ID Metadata Document's URL where the authorization server accepts one (and Gatehouse's
     * public URL can serve as such an id); else one registered dynamically (RFC 7591).
     */
    private Client clientFor(ServerDef server, Metadata m) {
        Optional<UpstreamClients.OAuthClient> configured = clients.oauth(server.id());
        if (configured.isPresent()) {
            return new Client(configured.get().clientId(), configured.get().clientSecret());
        }
        if (m.clientMetadataDocumentSupported() && clientMetadataDocumentUsable()) {
            return new Client(clientMetadataDocumentUrl(), null);
        }
        if (m.issuer() == null) {
            throw ProblemException.invalid("serverId", "server '" + server.name() + "' has no OAuth client configured");
        }
        return registrations.computeIfAbsent(m.issuer() + "\n" + callback(), k -> register(m));
    }

    /** The URL of Gatehouse's Client ID Metadata Document (its {@code client_id} there). */
    public String clientMetadataDocumentUrl() {
        return props.publicUrlNoSlash() + CLIENT_METADATA_PATH;
    }

    /**
     * A document URL is a client id only over https with a path; plain http to loopback counts
     * when loopback upstreams are allowed (tests and local set-ups).
     */
    boolean clientMetadataDocumentUsable() {
        URI u = URI.create(clientMetadataDocumentUrl());
        return "https".equalsIgnoreCase(u.getScheme()) || outbound.loopbackAllowed() && "http".equalsIgnoreCase(u.getScheme());
    }

    /** Gatehouse's Client ID Metadata Document: a public client (PKCE) whose only redirect is the wizard's callback. */
    public ObjectNode clientMetadataDocument() {
        ObjectNode d = Json.object();
        d.put("client_id", clientMetadataDocumentUrl());
        d.put("client_name", "Gatehouse");
        d.put("client_uri", props.publicUrlNoSlash());
        d.putArray("redirect_uris").add(callback());
        d.putArray("grant_types").add("authorization_code").add("refresh_token");
        d.putArray("response_types").add("code");
        d.put("token_endpoint_auth_method", "none");
        return d;
    }

    private Client register(Metadata m) {
        if (m.registrationEndpoint() == null) {
            throw ProblemException.invalid("serverId", "the upstream's authorization server " + m.issuer()
                    + " offers no dynamic client registration; an administrator can configure Gatehouse's client for this server "
                    + "(oauth: {clientId, clientSecret?} on the server), or paste a token instead");
        }
        ObjectNode body = Json.object();
        body.put("client_name", "Gatehouse");
        body.putArray("redirect_uris").add(callback());
        body.putArray("grant_types").add("authorization_code").add("refresh_token");
        body.putArray("response_types").add("code");
        body.put("token_endpoint_auth_method", "none");
        if (!m.scopes().isEmpty()) {
            body.put("scope", String.join(" ", m.scopes()));
        }
        OutboundHttp.Response resp = OutboundHttp.post(uri(m.registrationEndpoint()),
                Map.of("Content-Type", "application/json", "Accept", "application/json"), Json.string(body), m.policy());
        if (resp.status() / 100 != 2) {
            throw new IllegalStateException("registration at " + LogSafe.url(m.registrationEndpoint()) + " answered HTTP " + resp.status());
        }
        JsonNode r = Json.tree(resp.text());
        return new Client(r.path("client_id").asString(), r.path("client_secret").asString(null));
    }

    /** As {@link #complete(String, String, String, String, String)} without an {@code iss} parameter. */
    public Completed complete(String userId, String state, String code, String error) {
        return complete(userId, state, code, error, null);
    }

    /**
     * The upstream sent the browser back: checks RFC 9207's {@code iss} (required when the
     * authorization server advertises it, compared whenever present), exchanges the code and stores
     * the person's tokens.
     */
    public Completed complete(String userId, String state, String code, String error, String iss) {
        Pending p = state == null ? null : pending.remove(state);
        if (p == null || !p.userId().equals(userId) || p.until().isBefore(Instant.now())) {
            throw ProblemException.invalid("state", "this sign-in to the upstream server has expired or is not yours; start again");
        }
        ServerDef server = catalog.server(p.serverId());
        if (p.metadata().issuer() != null && (iss != null || p.metadata().issParameterSupported())
                && (iss == null || !trimSlash(iss).equals(trimSlash(p.metadata().issuer())))) {
            log.warn("upstream OAuth callback for server {} carried iss {} instead of {}; refused (mix-up)", server.name(),
                    LogSafe.url(String.valueOf(iss)), LogSafe.url(p.metadata().issuer()));
            throw ProblemException.invalid("iss", "the answer came from another authorization server than server '" + server.name()
                    + "' uses; start again");
        }
        if (error != null || code == null) {
            throw ProblemException.invalid("code", "server '" + server.name() + "' did not authorize Gatehouse ("
                    + (error == null ? "no code" : LogSafe.text(error)) + ")");
        }
        Map<String, String> q = new LinkedHashMap<>();
        q.put("grant_type", "authorization_code");
        q.put("code", code);
        q.put("redirect_uri", callback());
        q.put("client_id", p.client().clientId());
        q.put("code_verifier", p.verifier());
        if (p.metadata().resource() != null) {
            q.put("resource", p.metadata().resource());
        }
        if (p.client().clientSecret() != null) {
            q.put("client_secret", p.client().clientSecret());
        }
        JsonNode t = token(p.metadata().tokenEndpoint(), q, p.metadata().policy());
        UpstreamTokens tokens = new UpstreamTokens(t.path("access_token").asString(), t.path("refresh_token").asString(null),
                p.metadata().tokenEndpoint(), p.client().clientId(), p.client().clientSecret(), p.metadata().resource(), p.metadata().issuer());
        store.store(new IdentityVault.Owner(userId, null), server.id(), IdentityVault.OAUTH, tokens.toJson(), expiry(t));
        return new Completed(p.wizardState(), server.id());
    }

    // --- refresh

    /** Refreshes ahead of expiry, so calls seldom wait for a refresh. */
    @Scheduled(fixedDelayString = "${gatehouse.upstream-oauth.refresh-interval:30s}", initialDelay = 10_000)
    public void refreshExpiring() {
        for (Credential c : store.oauthExpiringBefore(Instant.now().plus(REFRESH_AHEAD))) {
            try {
                refresh(c);
            } catch (RuntimeException e) {
                log.warn("refresh of identity {} failed: {}", c.id(), e.getMessage());
            }
        }
    }

    /**
     * Refreshes one OAuth credential; answers it as stored afterwards ({@code ok} with new tokens,
     * or {@code refresh-failed}). One refresh per credential at a time in this replica.
     */
    Credential refresh(Credential stale) {
        ReentrantLock lock = refreshLocks.computeIfAbsent(stale.id(), k -> new ReentrantLock());
        lock.lock();
        try {
            Credential c = store.byId(stale.id()).orElseThrow(() -> ProblemException.notFound("identity", stale.id()));
            // A rejected credential may be tried (an administrator's refresh): its refresh token may still be good.
            if (!("ok".equals(c.state()) || "rejected".equals(c.state())) || c.updatedAt().isAfter(stale.updatedAt())) {
                return c; // failed, revoked or refreshed meanwhile
            }
            UpstreamTokens stored = UpstreamTokens.parse(store.secret(c.id()));
            ServerDef server = catalog.snapshot().servers().get(c.serverId());
            String name = server == null ? c.serverId() : server.name();
            if (stored.refreshToken() == null) {
                return failed(c, name, "the upstream issued no refresh token");
            }
            // A pre-registered client's current secret and token endpoint: an administrator may have rotated them.
            Optional<UpstreamClients.OAuthClient> configured = clients.oauth(c.serverId())
                    .filter(x -> x.clientId().equals(stored.clientId()));
            String secret = configured.map(UpstreamClients.OAuthClient::clientSecret).orElse(stored.clientSecret());
            String tokenEndpoint = configured.filter(UpstreamClients.OAuthClient::hasEndpoints)
                    .map(UpstreamClients.OAuthClient::tokenEndpoint).orElse(stored.tokenEndpoint());
            UpstreamTokens old = new UpstreamTokens(stored.accessToken(), stored.refreshToken(), tokenEndpoint, stored.clientId(), secret,
                    stored.resource(), stored.issuer());
            Map<String, String> q = new LinkedHashMap<>();
            q.put("grant_type", "refresh_token");
            q.put("refresh_token", old.refreshToken());
            q.put("client_id", old.clientId());
            if (old.resource() != null) {
                q.put("resource", old.resource());
            }
            if (old.clientSecret() != null) {
                q.put("client_secret", old.clientSecret());
            }
            JsonNode t;
            try {
                t = token(old.tokenEndpoint(), q, policyFor(server));
            } catch (RuntimeException e) {
                return failed(c, name, e.getMessage());
            }
            UpstreamTokens fresh = new UpstreamTokens(t.path("access_token").asString(),
                    t.path("refresh_token").asString(old.refreshToken()), old.tokenEndpoint(), old.clientId(), old.clientSecret(),
                    old.resource(), old.issuer());
            Credential updated = store.update(c, fresh.toJson(), expiry(t));
            store.resolveAlerts(c.serverId(), c.id()); // refused or not refreshable before: it works again
            return updated;
        } finally {
            lock.unlock();
        }
    }

    private Credential failed(Credential c, String serverName, String why) {
        Credential marked = store.mark(c, "refresh-failed", why.length() > 1000 ? why.substring(0, 1000) : why);
        ObjectNode details = Json.object().put("identityId", c.id()).put("serverId", c.serverId());
        if (c.userId() != null) {
            details.put("userId", c.userId());
        }
        alerts.raise("identity-refresh-failed", "warning", "identity for server '" + serverName + "'",
                "An upstream OAuth credential for server '" + serverName + "' could not be refreshed (" + why
                        + "); its owner must reconnect.", new AlertService.About(null, c.serverId(), c.id()), details);
        log.warn("upstream credential {} for server {} could not be refreshed: {}", c.id(), serverName, why);
        return marked;
    }

    // --- HTTP

    private JsonNode token(String endpoint, Map<String, String> form, OutboundHttp.Policy policy) {
        OutboundHttp.Response resp;
        try {
            resp = OutboundHttp.post(uri(endpoint), Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json"),
                    form(form), policy);
        } catch (OutboundHttp.Refused e) {
            throw new IllegalStateException(e.getMessage());
        }
        JsonNode body;
        try {
            body = Json.tree(resp.text());
        } catch (RuntimeException e) {
            body = Json.object();
        }
        if (resp.status() != 200 || !body.path("access_token").isString()) {
            // The error code only: a token endpoint's description may echo what it was sent.
            throw new IllegalStateException("token endpoint answered HTTP " + resp.status()
                    + (body.path("error").isString() ? " " + LogSafe.text(body.path("error").asString()) : ""));
        }
        return body;
    }

    private static Instant expiry(JsonNode t) {
        return t.path("expires_in").canConvertToLong() && t.path("expires_in").asLong() > 0
                ? Instant.now().plusSeconds(t.path("expires_in").asLong()) : null;
    }

    private JsonNode getJson(String url, OutboundHttp.Policy policy) {
        OutboundHttp.Response resp = OutboundHttp.get(uri(url), Map.of("Accept", "application/json"), policy);
        if (resp.status() != 200) {
            throw new IllegalStateException(LogSafe.url(url) + " answered HTTP " + resp.status());
        }
        try {
            return Json.tree(resp.text());
        } catch (RuntimeException e) {
            throw new IllegalStateException(LogSafe.url(url) + " answered something that is not JSON");
        }
    }

    /** The probe goes to the administrator's URL; its body is never read. */
    private HttpResponse<Void> probe(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + LogSafe.url(req.uri().toString()) + ": " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static String origin(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    private static String form(Map<String, String> q) {
        return q.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String challenge(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
