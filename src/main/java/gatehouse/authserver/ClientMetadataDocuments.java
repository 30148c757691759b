package gatehouse.authserver;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

import gatehouse.platform.AddressPolicy;
import gatehouse.platform.Json;
import gatehouse.platform.OutboundHttp;
import tools.jackson.databind.JsonNode;

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; the MCP 2025-11-25
 * authorization spec's recommended registration): a client whose {@code client_id} is an https URL
 * is described by the JSON document at that URL. This fetches and validates one: https only (http on
 * a loopback address only when {@code gatehouse.oauth.client-metadata-loopback-allowed}), public
 * addresses only (no private or special-purpose range; the connection goes to the address that was
 * checked), rate-limited per host and in all, 5 s for the whole fetch, at most 64 KiB, no redirects, JSON only,
 * the document's {@code client_id} equal to the URL, public clients only ({@code none}), redirect URIs
 * acceptable to {@link RegistrationPolicy}. The result is a public {@link RegisteredClient} with a
 * stable id derived from the URL, and how long it may be cached (Cache-Control max-age, clamped).
 */
class ClientMetadataDocuments {
    static final int MAX_BYTES = 64 * 1024;
    /** The registered-client table's client_id column. */
    static final int MAX_URL_LENGTH = 100;
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final Duration MIN_CACHE = Duration.ofMinutes(1);
    static final Duration DEFAULT_CACHE = Duration.ofHours(1);
    static final Duration MAX_CACHE = Duration.ofHours(24);
    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*\"?(\\d{1,10})");
    private static final Set<String> GRANTS = Set.of("authorization_code", "refresh_token");

    /** A document that cannot be used, and why (said to the client as the error description). */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    record Resolved(RegisteredClient client, Instant expires) {
    }

    private final OAuthProperties props;
    private final RegistrationPolicy redirects;
    private final OutboundHttp.Policy policy;
    private final SlidingWindows fetches;
    private final Clock clock;

    ClientMetadataDocuments(OAuthProperties props) {
        this.props = props;
        this.redirects = new RegistrationPolicy(props);
        // Public addresses only (loopback with the development flag); never private or special ones.
        this.policy = new OutboundHttp.Policy(AddressPolicy.allowed(false, props.clientMetadataLoopbackAllowed()), TIMEOUT, MAX_BYTES);
        this.fetches = new SlidingWindows(Duration.ofHours(1), Math.max(1, props.clientMetadataFetchesPerHourPerHost()),
                Math.max(1, props.clientMetadataFetchesPerHour()));
        this.clock = Clock.systemUTC();
    }

    /** Whether this client_id is meant as a metadata document URL (rather than a registered id). */
    static boolean isUrl(String clientId) {
        return clientId != null && (clientId.startsWith("https://") || clientId.startsWith("http://"));
    }

    /** The stable registered-client (and host) id for a document URL. */
    static String idFor(String url) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return "host_cimd" + HexFormat.of().formatHex(h, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL's checks, without fetching: null when acceptable, else why not. */
    URI checkUrl(String url) {
        if (url.length() > MAX_URL_LENGTH) {
            throw new Refused("client_id URL is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("client_id is not a URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawFragment() != null) {
            throw new Refused("client_id URL must have a host and no user info or fragment");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (path.isEmpty() || path.equals("/") || ("/" + path + "/").contains("/./") || ("/" + path + "/").contains("/../")) {
            throw new Refused("client_id URL must have a path without dot segments");
        }
        if (scheme.equals("https")) {
            return u;
        }
        if (scheme.equals("http") && props.clientMetadataLoopbackAllowed()) {
            return u;
        }
        throw new Refused("client_id URL must use https");
    }

    /**
     * Fetches and validates the document at {@code url}: at most so many fetches per hour per host
     * and in all, connecting only to the address that was vetted (no second DNS answer).
     */
    Resolved resolve(String url) {
        URI u = checkUrl(url);
        try {
            OutboundHttp.vet(u, policy);
        } catch (OutboundHttp.Refused e) {
            throw new Refused(e.getMessage().contains("does not resolve") ? "client_id URL's host does not resolve"
                    : "client_id URL's host is not a public address");
        }
        if (!fetches.admit(u.getHost().toLowerCase(Locale.ROOT), clock.instant())) {
            throw new Refused("too many client metadata documents fetched; try again later");
        }
        OutboundHttp.Response response;
        try {
            response = OutboundHttp.get(u, java.util.Map.of("Accept", "application/json"), policy);
        } catch (OutboundHttp.Refused e) {
            throw new Refused(e.getMessage().contains("more than") ? "client metadata document is larger than " + MAX_BYTES + " bytes"
                    : "client metadata document could not be fetched");
        }
        if (response.status() != 200) {
            throw new Refused("client metadata document answered HTTP " + response.status() + " (redirects are not followed)");
        }
        String type = response.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        String mime = type.split(";")[0].trim();
        if (!mime.equals("application/json") && !(mime.startsWith("application/") && mime.endsWith("+json"))) {
            throw new Refused("client metadata document is not JSON");
        }
        JsonNode doc;
        try {
            doc = Json.tree(response.text());
        } catch (RuntimeException e) {
            throw new Refused("client metadata document is not valid JSON");
        }
        RegisteredClient client = client(url, doc);
        return new Resolved(client, clock.instant().plus(cacheFor(response.header("Cache-Control").orElse(null))));
    }

    static Duration cacheFor(String cacheControl) {
        if (cacheControl == null) {
            return DEFAULT_CACHE;
        }
        String cc = cacheControl.toLowerCase(Locale.ROOT);
        if (cc.contains("no-store") || cc.contains("no-cache")) {
            return MIN_CACHE;
        }
        Matcher m = MAX_AGE.matcher(cc);
        if (!m.find()) {
            return DEFAULT_CACHE;
        }
        Duration d = Duration.ofSeconds(Long.parseLong(m.group(1)));
        return d.compareTo(MIN_CACHE) < 0 ? MIN_CACHE : d.compareTo(MAX_CACHE) > 0 ? MAX_CACHE : d;
    }

    private static String text(JsonNode n, String otherwise) {
        return n != null && n.isString() ? n.asString() : otherwise;
    }

    private RegisteredClient client(String url, JsonNode doc) {
        if (doc == null || !doc.isObject()) {
            throw new Refused("client metadata document is not a JSON object");
        }
        if (!url.equals(text(doc.path("client_id"), null))) {
            throw new Refused("client metadata document's client_id is not its URL");
        }
        String method = text(doc.path("token_endpoint_auth_method"), "none");
        if (!method.equals("none")) {
            throw new Refused("client metadata document's token_endpoint_auth_method must be none");
        }
        if (doc.has("client_secret") || doc.has("client_secret_expires_at")) {
            throw new Refused("client metadata document must not contain a client_secret");
        }
        JsonNode uris = doc.path("redirect_uris");
        if (!uris.isArray() || uris.isEmpty() || uris.size() > RegistrationPolicy.MAX_REDIRECT_URIS) {
            throw new Refused("client metadata document needs 1 to " + RegistrationPolicy.MAX_REDIRECT_URIS + " redirect_uris");
        }
        List<String> redirectUris = new ArrayList<>();
        for (JsonNode r : uris) {
            String problem = r.isString() ? redirects.redirectProblem(r.asString()) : "redirect_uris must be strings";
            if (problem != null) {
                throw new Refused(problem);
            }
            redirectUris.add(r.asString());
        }
        Set<String> grants = new LinkedHashSet<>();
        JsonNode g = doc.path("grant_types");
        if (g.isMissingNode() || g.isNull()) {
            grants.add("authorization_code");
        } else {
            if (!g.isArray()) {
                throw new Refused("grant_types must be an array");
            }
            g.forEach(x -> grants.add(text(x, "")));
            if (!GRANTS.containsAll(grants) || !grants.contains("authorization_code")) {
                throw new Refused("grant_types may only contain authorization_code and refresh_token, and must contain authorization_code");
            }
        }
        JsonNode rt = doc.path("response_types");
        if (!rt.isMissingNode() && !rt.isNull()) {
            if (!rt.isArray()) {
                throw new Refused("response_types must be an array");
            }
            rt.forEach(x -> {
                if (!"code".equals(text(x, ""))) {
                    throw new Refused("response_types may only contain code");
                }
            });
        }
        String name = text(doc.path("client_name"), "");
        if (name.isBlank()) {
            name = URI.create(url).getHost();
        }
        if (name.length() > 200) {
            name = name.substring(0, 200);
        }
        RegisteredClient.Builder b = RegisteredClient.withId(idFor(url)).clientId(url).clientName(name)
                .clientIdIssuedAt(clock.instant())
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .redirectUris(set -> set.addAll(redirectUris))
                .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(true).build())
                .tokenSettings(TokenSettings.builder()
                        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                        .accessTokenTimeToLive(props.accessTokenTtl())
                        .refreshTokenTimeToLive(props.refreshTokenTtl())
                        .authorizationCodeTimeToLive(props.authorizationCodeTtl())
                        .reuseRefreshTokens(false)
                        .build());
        grants.forEach(x -> b.authorizationGrantType(new AuthorizationGrantType(x)));
        String scope = text(doc.path("scope"), "");
        if (scope.length() > 1000 || String.join(" ", redirectUris).length() > 3000) {
            throw new Refused("client metadata document's scope or redirect_uris are too long");
        }
        for (String s : scope.split(" ")) {
            if (!s.isBlank() && s.length() <= 200) {
                b.scope(s);
            }
        }
        return b.build();
    }
}
