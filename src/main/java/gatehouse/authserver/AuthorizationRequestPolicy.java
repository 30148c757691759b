package gatehouse.authserver;

import java.util.function.Consumer;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationValidator;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Checks an authorization request before anyone logs in. Spring's checks are kept for scope; two are
 * Gatehouse's: redirect URIs match a registered one exactly, character for character (Spring lets a
 * loopback IP redirect use any port), and the RFC 8707 {@code resource}, which Spring passes through
 * untouched, must be one Gatehouse serves ({@code invalid_target} otherwise). PKCE S256 is Spring's
 * (registrations require a proof key; {@code plain} is refused).
 */
class AuthorizationRequestPolicy implements Consumer<OAuth2AuthorizationCodeRequestAuthenticationContext> {
    static final String RESOURCE = "resource";
    private final Resources resources;

    AuthorizationRequestPolicy(Resources resources) {
        this.resources = resources;
    }

    @Override
    public void accept(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        exactRedirect(context);
        OAuth2AuthorizationCodeRequestAuthenticationValidator.DEFAULT_SCOPE_VALIDATOR.accept(context);
        resource(context);
    }

    private static void exactRedirect(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        RegisteredClient client = context.getRegisteredClient();
        String redirect = request.getRedirectUri();
        boolean ok = redirect == null || redirect.isEmpty()
                ? client.getRedirectUris().size() == 1
                : client.getRedirectUris().contains(redirect);
        if (!ok) {
            // No redirect: an unregistered redirect URI must never receive anything.
            throw error(OAuth2ErrorCodes.INVALID_REQUEST, "redirect_uri is not one this client registered (exact match required)",
                    request, null);
        }
    }

    private void resource(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
        OAuth2AuthorizationCodeRequestAuthenticationToken request = context.getAuthentication();
        Object value = request.getAdditionalParameters().get(RESOURCE);
        if (value == null) {
            return;
        }
        if (!(value instanceof String s) || resources.parse(s).isEmpty()) {
            String redirect = request.getRedirectUri() != null ? request.getRedirectUri()
                    : context.getRegisteredClient().getRedirectUris().iterator().next();
            throw error("invalid_target", "resource must be one resource served by this Gatehouse: " + resources.mcpUrl()
                    + "[?gateway=ID] or " + resources.base(), request, redirect);
        }
    }

    private static OAuth2AuthorizationCodeRequestAuthenticationException error(String code, String description,
            OAuth2AuthorizationCodeRequestAuthenticationToken request, String redirectUri) {
        OAuth2AuthorizationCodeRequestAuthenticationToken result = new OAuth2AuthorizationCodeRequestAuthenticationToken(
                request.getAuthorizationUri(), request.getClientId(), (Authentication) request.getPrincipal(), redirectUri,
                request.getState(), request.getScopes(), request.getAdditionalParameters());
        result.setAuthenticated(true);
        return new OAuth2AuthorizationCodeRequestAuthenticationException(
                new OAuth2Error(code, description, "https://datatracker.ietf.org/doc/html/rfc8707#section-2"), result);
    }
}
