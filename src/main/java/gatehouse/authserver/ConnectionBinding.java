package gatehouse.authserver;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationGrantAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.Connection;
import gatehouse.identity.Directory;
import gatehouse.identity.IdentityVault;

/**
 * Ties an OAuth grant to a Gatehouse connection. The connection wizard records the chosen gateway on
 * the pending authorization; approving the consent (only possible once the wizard is complete)
 * creates or reuses the connection of this client, user and gateway; every access token then names
 * that connection ({@code cid}) and is bound (audience) to the RFC 8707 resource the client asked for.
 * A token is refused at issue, on refresh too, when the connection is gone or disabled or the user's
 * teams no longer hold the gateway.
 */
public class ConnectionBinding {
    /** Authorization attribute: the gateway the person chose in the wizard. */
    public static final String GATEWAY_ATTRIBUTE = "gatehouse.gateway";
    /** The authority a completed wizard grants; Spring treats a consent without authorities as a denial. */
    static final String CONNECT_AUTHORITY = "GATEHOUSE_CONNECT";
    /** The consent form's decision parameter; anything but {@code approve} denies. */
    public static final String DECISION = "decision";

    private final CatalogService catalog;
    private final Directory directory;
    private final IdentityVault vault;
    private final Resources resources;
    /** Saves a client that so far lived only in memory (a metadata document), before its connection refers to it. */
    private final Consumer<String> persistClient;
    /** {@code gatehouse.oauth.max-connections-per-user}: connections one person may hold through sign-in. */
    private final int maxConnectionsPerUser;
    /** Told when a person reaches that bound (a {@code bound-reached} alert). */
    private final Consumer<String[]> boundReached;

    public ConnectionBinding(CatalogService catalog, Directory directory, IdentityVault vault, Resources resources) {
        this(catalog, directory, vault, resources, id -> { }, Integer.MAX_VALUE, who -> { });
    }

    /**
     * @param boundReached hears {userId, gatewayId, message} when a person may not add another connection
     */
    public ConnectionBinding(CatalogService catalog, Directory directory, IdentityVault vault, Resources resources,
                             Consumer<String> persistClient, int maxConnectionsPerUser, Consumer<String[]> boundReached) {
        this.maxConnectionsPerUser = maxConnectionsPerUser;
        this.boundReached = boundReached;
        this.persistClient = persistClient;
        this.catalog = catalog;
        this.directory = directory;
        this.vault = vault;
        this.resources = resources;
    }

    /** The gateway named by the request's resource, if it names one. */
    public Optional<String> requestedGateway(OAuth2AuthorizationRequest request) {
        Object r = request.getAdditionalParameters().get(AuthorizationRequestPolicy.RESOURCE);
        return r instanceof String s ? resources.parse(s).map(Resources.Resource::gatewayId) : Optional.empty();
    }

    /** Whether the wizard is complete for this pending authorization: a gateway the user holds, every personal server set up. */
    public boolean ready(OAuth2Authorization authorization) {
        String gatewayId = authorization.getAttribute(GATEWAY_ATTRIBUTE);
        String userId = authorization.getPrincipalName();
        return gatewayId != null && directory.snapshot().holds(userId, gatewayId) && vault.missingPersonal(userId, gatewayId).isEmpty();
    }

    /** Consent customizer: approve only a completed wizard, explicitly approved; create the connection. */
    Consumer<OAuth2AuthorizationConsentAuthenticationContext> consentCustomizer() {
        return context -> {
            OAuth2AuthorizationConsentAuthenticationToken consent = context.getAuthentication();
            Map<String, Object> params = consent.getAdditionalParameters();
            OAuth2Authorization authorization = context.getAuthorization();
            boolean approved = "approve".equals(params.get(DECISION)) && ready(authorization);
            context.getAuthorizationConsent().authorities(authorities -> {
                authorities.clear();
                if (approved) {
                    authorities.add(new SimpleGrantedAuthority(CONNECT_AUTHORITY));
                }
            });
            if (approved) {
                refuseBeyondConnectionBound(context.getRegisteredClient().getId(), authorization, consent);
                persistClient.accept(context.getRegisteredClient().getId());
                catalog.interactiveConnection(context.getRegisteredClient().getId(), authorization.getPrincipalName(),
                        authorization.getAttribute(GATEWAY_ATTRIBUTE));
            }
        };
    }

    /**
     * Every approved client is a connection of its person: registration is open, so without a bound
     * one person could create connections without end. Past {@code maxConnectionsPerUser} a new
     * one (another client or gateway; a client connecting again is not new) is refused: the client
     * gets {@code access_denied} naming the setting, administrators a {@code bound-reached} alert.
     */
    private void refuseBeyondConnectionBound(String hostId, OAuth2Authorization authorization,
                                             OAuth2AuthorizationConsentAuthenticationToken consent) {
        String userId = authorization.getPrincipalName();
        String gatewayId = authorization.getAttribute(GATEWAY_ATTRIBUTE);
        var mine = catalog.snapshot().connectionsById().values().stream().filter(c -> userId.equals(c.userId())).toList();
        boolean again = mine.stream().anyMatch(c -> hostId.equals(c.hostId()) && java.util.Objects.equals(gatewayId, c.gatewayId()));
        if (again || mine.size() < maxConnectionsPerUser) {
            return;
        }
        String message = "You already have " + mine.size() + " connections (gatehouse.oauth.max-connections-per-user is "
                + maxConnectionsPerUser + "); remove one you no longer use, then connect again";
        boundReached.accept(new String[] {userId, gatewayId, "Person " + userId + " reached " + maxConnectionsPerUser
                + " connections (gatehouse.oauth.max-connections-per-user); a new one was refused"});
        OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
        OAuth2AuthorizationCodeRequestAuthenticationToken result = request == null ? null
                : new OAuth2AuthorizationCodeRequestAuthenticationToken(request.getAuthorizationUri(), request.getClientId(),
                (org.springframework.security.core.Authentication) consent.getPrincipal(), request.getRedirectUri(), request.getState(),
                request.getScopes(), request.getAdditionalParameters());
        throw new OAuth2AuthorizationCodeRequestAuthenticationException(new OAuth2Error(OAuth2ErrorCodes.ACCESS_DENIED, message, null), result);
    }

    /** Access-token customizer: audience = the requested resource; {@code cid}/{@code gid} claims. */
    OAuth2TokenCustomizer<JwtEncodingContext> tokenCustomizer() {
        return context -> {
            if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
                return;
            }
            OAuth2Authorization authorization = context.getAuthorization();
            if (authorization == null) {
                throw invalidGrant("this grant is not bound to a connection");
            }
            String gatewayId = authorization.getAttribute(GATEWAY_ATTRIBUTE);
            String userId = authorization.getPrincipalName();
            String hostId = context.getRegisteredClient().getId();
            Connection c = gatewayId == null ? null : catalog.snapshot().connectionsById().values().stream()
                    .filter(x -> hostId.equals(x.hostId()) && userId.equals(x.userId()) && gatewayId.equals(x.gatewayId()))
                    .findFirst().orElse(null);
            if (c == null) {
                throw invalidGrant("the connection of this grant was removed; connect again");
            }
            if (!c.enabled()) {
                throw invalidGrant("the connection of this grant is disabled");
            }
            if (!directory.snapshot().holds(userId, gatewayId)) {
                throw invalidGrant("your teams no longer hold this gateway");
            }
            OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
            Object asked = request == null ? null : request.getAdditionalParameters().get(AuthorizationRequestPolicy.RESOURCE);
            String resource = asked instanceof String s ? resources.parse(s).map(Resources.Resource::uri).orElse(null) : resources.mcpUrl(gatewayId);
            if (resource == null) {
                throw new OAuth2AuthenticationException(new OAuth2Error("invalid_target", "unknown resource", null));
            }
            if (context.getAuthorizationGrant() instanceof OAuth2AuthorizationGrantAuthenticationToken grant) {
                Object again = grant.getAdditionalParameters().get(AuthorizationRequestPolicy.RESOURCE);
                if (again instanceof String s && !resources.parse(s).map(Resources.Resource::uri).orElse("").equals(resource)) {
                    throw new OAuth2AuthenticationException(new OAuth2Error("invalid_target",
                            "the token request's resource differs from the one authorized", null));
                }
            }
            context.getClaims().audience(Collections.singletonList(resource))
                    .claim(AccessTokens.CONNECTION_CLAIM, c.id())
                    .claim(AccessTokens.GATEWAY_CLAIM, gatewayId)
                    .claim("client_id", context.getRegisteredClient().getClientId());
        };
    }

    private static OAuth2AuthenticationException invalidGrant(String why) {
        return new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, why, null));
    }
}
