package gatehouse.gateway.pipeline;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.springframework.stereotype.Component;

import gatehouse.authserver.AccessTokens;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.gateway.transport.McpHttpRequest;
import gatehouse.identity.Directory;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.TokenHashes;

/**
 * Who is calling, from the request's headers alone (the body is not read yet): the token, its
 * connection and gateway, and whether the caller may still use that gateway.
 */
@Component
class CallerAuthentication {
    private final CatalogService catalog;
    private final AccessTokens accessTokens;
    private final Directory directory;
    private final String resourceMetadataUrl;
    /** Access tokens verified before, by their hash (never the token itself); bounded. */
    private final ConcurrentHashMap<String, AccessTokens.Verified> verifiedTokens =
            new ConcurrentHashMap<>();
    private static final int MAX_VERIFIED_TOKENS = 10_000;

    CallerAuthentication(CatalogService catalog, AccessTokens accessTokens, Directory directory, GatehouseProperties props) {
        this.catalog = catalog;
        this.accessTokens = accessTokens;
        this.directory = directory;
        this.resourceMetadataUrl = props.publicUrlNoSlash() + "/.well-known/oauth-protected-resource/gateway/v1/mcp";
    }

    /** A refusal of a caller already identified, so its log record still names the connection. */
    static final class CallerRefused extends HttpProblem {
        private final transient Exchange.Caller caller;

        CallerRefused(Exchange.Caller caller, int status, String message) {
            super(status, JsonRpc.INVALID_REQUEST, message);
            this.caller = caller;
        }

        Exchange.Caller caller() {
            return caller;
        }
    }

    Exchange.Caller authenticate(McpHttpRequest req) {
        return authenticate(req, null);
    }

    /**
     * Authenticates and gives {@code x} the check a long-lived stream repeats while it is open
     * ({@link Exchange#stillAuthorized()}): the same credential must still name the same enabled
     * connection, an OAuth token must be neither expired nor revoked, an API token must not have been
     * rotated away, and a person's teams must still hold the gateway (a disabled person holds none).
     * Everything it reads is in memory; the signature is not verified again.
     */
    Exchange.Caller authenticate(McpHttpRequest req, Exchange x) {
        CatalogSnapshot snapshot = catalog.snapshot();
        // An API access token of a connection (stored as a hash, so the look-up hashes what was
        // presented), else an OAuth access token from Gatehouse's authorization server (a signed JWT
        // naming its connection, checked in memory: signature, expiry, revocation list), which must
        // also be bound (RFC 8707 audience) to this resource.
        String auth = req.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() <= 7) {
            throw unauthorized(req, "Authorization: Bearer <token> is required", null);
        }
        String token = auth.substring(7).trim();
        String tokenHash = TokenHashes.sha256(token);
        Connection c = snapshot.connectionsByTokenHash().get(tokenHash);
        AccessTokens.Verified oauth = null;
        if (c == null && AccessTokens.looksLikeJwt(token)) {
            try {
                oauth = verified(token, tokenHash);
            } catch (AccessTokens.InvalidTokenException e) {
                throw unauthorized(req, e.getMessage(), "invalid_token");
            }
            c = snapshot.connectionsById().get(oauth.connectionId());
            if (c == null) {
                throw unauthorized(req, "the connection of this access token was removed; connect again", "invalid_token");
            }
            String asked = req.query("gateway");
            if (!accessTokens.boundTo(oauth, asked != null && !asked.isEmpty() ? asked : c.gatewayId())) {
                throw unauthorized(req, "the access token was issued for another resource", "invalid_token");
            }
        }
        if (c == null) {
            throw unauthorized(req, "the access token is invalid, expired or revoked", "invalid_token");
        }
        // The connection's gateway. Another one than the token's gets one answer whether or not it
        // exists (nothing is revealed about other gateways), naming what is wrong: the token.
        String wanted = req.query("gateway");
        GatewayDef g = snapshot.gateways().get(c.gatewayId());
        if (wanted != null && !wanted.isEmpty() && !wanted.equals(c.gatewayId())) {
            String shown = wanted.matches("[A-Za-z0-9_-]{1,64}") ? "'" + wanted + "'" : "in this URL";
            throw new HttpProblem(404, JsonRpc.INVALID_REQUEST, "This token is not valid for gateway " + shown
                    + ": it belongs to another gateway's connection; use the URL given with the token");
        }
        if (g == null) {
            throw new HttpProblem(404, JsonRpc.INVALID_REQUEST, "Unknown gateway");
        }
        Exchange.Caller caller = new Exchange.Caller(c, g, snapshot);
        if (!c.enabled()) {
            throw new CallerRefused(caller, 403, "This connection is disabled; ask an administrator to enable it");
        }
        // An API-token connection holds exactly its own gateway; a person's connection also needs one
        // of their teams to hold it still (and the person enabled).
        if (c.userId() != null && !directory.snapshot().holds(c.userId(), c.gatewayId())) {
            throw new CallerRefused(caller, 403, "Your teams no longer give you access to this gateway; ask an administrator");
        }
        if (x != null) {
            x.stillAuthorized(stillAuthorized(c, oauth, tokenHash));
        }
        return caller;
    }

    /**
     * The access token, verified. Its signature, issuer and claims are checked once per token (they
     * cannot change: the same bytes under the same key), remembered under the token's hash; expiry
     * and revocation are checked on every request, and a token that fails them is verified in full
     * again, so the answer names why.
     */
    private AccessTokens.Verified verified(String token, String tokenHash) {
        AccessTokens.Verified known = verifiedTokens.get(tokenHash);
        if (known != null) {
            if (accessTokens.stillValid(known, Instant.now())) {
                return known;
            }
            verifiedTokens.remove(tokenHash);
        }
        AccessTokens.Verified fresh = accessTokens.verify(token);
        if (fresh.expiresAt() != null) {
            if (verifiedTokens.size() >= MAX_VERIFIED_TOKENS) {
                verifiedTokens.values().removeIf(v -> !accessTokens.stillValid(v, Instant.now()));
                if (verifiedTokens.size() >= MAX_VERIFIED_TOKENS) {
                    verifiedTokens.clear();
                }
            }
            verifiedTokens.put(tokenHash, fresh);
        }
        return fresh;
    }

    private BooleanSupplier stillAuthorized(Connection authenticated, AccessTokens.Verified oauth, String tokenHash) {
        String connectionId = authenticated.id();
        String gatewayId = authenticated.gatewayId();
        String userId = authenticated.userId();
        return () -> {
            CatalogSnapshot now = catalog.snapshot();
            Connection c = now.connectionsById().get(connectionId);
            if (c == null || !c.enabled() || !c.gatewayId().equals(gatewayId) || !now.gateways().containsKey(gatewayId)) {
                return false;
            }
            boolean credential = oauth != null
                    ? accessTokens.stillValid(oauth, Instant.now())
                    : now.connectionsByTokenHash().get(tokenHash) instanceof Connection byToken && byToken.id().equals(connectionId);
            return credential && (userId == null || directory.snapshot().holds(userId, gatewayId));
        };
    }

    private HttpProblem unauthorized(McpHttpRequest req, String why, String error) {
        // The metadata URL names the gateway the client asked for, so the resource it then
        // authorizes for (RFC 9728 section 3.3) is exactly the URL it uses.
        String gateway = req.query("gateway");
        String metadata = resourceMetadataUrl + (gateway != null && gateway.matches("[A-Za-z0-9_-]{1,64}") ? "?gateway=" + gateway : "");
        String challenge = "Bearer resource_metadata=\"" + metadata + "\""
                + (error == null ? "" : ", error=\"" + error + "\", error_description=\"" + why + "\"");
        return new HttpProblem(401, JsonRpc.INVALID_REQUEST, "Unauthorized: " + why, Map.of("WWW-Authenticate", challenge));
    }
}
