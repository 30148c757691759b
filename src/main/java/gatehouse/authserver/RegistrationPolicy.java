package gatehouse.authserver;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2ClientRegistration;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientRegistrationAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.converter.OAuth2ClientRegistrationRegisteredClientConverter;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

import gatehouse.platform.Ids;

/**
 * What open dynamic client registration (RFC 7591) accepts, and what a registration becomes. Spring's
 * default validator refuses any {@code scope} (MCP clients send one) and accepts any redirect scheme
 * but javascript/data/vbscript; this one wants https, or http on a loopback host, or a configured
 * private-use scheme, and only the authorization-code and refresh-token grants.
 */
class RegistrationPolicy implements Consumer<OAuth2ClientRegistrationAuthenticationContext> {
    static final int MAX_REDIRECT_URIS = 10;
    private static final Set<String> GRANTS = Set.of("authorization_code", "refresh_token");
    private static final Set<String> AUTH_METHODS = Set.of("none", "client_secret_basic", "client_secret_post");
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final OAuthProperties props;

    RegistrationPolicy(OAuthProperties props) {
        this.props = props;
    }

    @Override
    public void accept(OAuth2ClientRegistrationAuthenticationContext context) {
        OAuth2ClientRegistrationAuthenticationToken token = context.getAuthentication();
        OAuth2ClientRegistration reg = token.getClientRegistration();
        List<String> redirects = reg.getRedirectUris();
        if (redirects == null || redirects.isEmpty()) {
            fail(OAuth2ErrorCodes.INVALID_REDIRECT_URI, "redirect_uris is required");
        }
        if (redirects.size() > MAX_REDIRECT_URIS) {
            fail(OAuth2ErrorCodes.INVALID_REDIRECT_URI, "at most " + MAX_REDIRECT_URIS + " redirect_uris");
        }
        for (String r : redirects) {
            String problem = redirectProblem(r);
            if (problem != null) {
                fail(OAuth2ErrorCodes.INVALID_REDIRECT_URI, problem);
            }
        }
        if (reg.getGrantTypes() != null && !GRANTS.containsAll(reg.getGrantTypes())) {
            fail("invalid_client_metadata", "grant_types may only contain authorization_code and refresh_token");
        }
        if (reg.getResponseTypes() != null && !List.of("code").containsAll(reg.getResponseTypes())) {
            fail("invalid_client_metadata", "response_types may only contain code");
        }
        String method = reg.getTokenEndpointAuthenticationMethod();
        if (method != null && !AUTH_METHODS.contains(method)) {
            fail("invalid_client_metadata", "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post");
        }
        if (reg.getClientName() != null && reg.getClientName().length() > 200) {
            fail("invalid_client_metadata", "client_name is longer than 200 characters");
        }
        if (reg.getScopes() != null && String.join(" ", reg.getScopes()).length() > 1000) {
            fail("invalid_client_metadata", "scope is longer than 1000 characters");
        }
    }

    /** Null when the redirect URI is acceptable, else why not. */
    String redirectProblem(String redirect) {
        URI u;
        try {
            u = new URI(redirect);
        } catch (URISyntaxException e) {
            return "redirect URI '" + redirect + "' is not a URI";
        }
        if (u.getFragment() != null || u.getScheme() == null) {
            return "redirect URI '" + redirect + "' must be absolute and have no fragment";
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost() == null ? null : u.getHost().toLowerCase(Locale.ROOT);
        if (scheme.equals("https") && host != null) {
            return null;
        }
        if (scheme.equals("http") && host != null && LOOPBACK.contains(host)) {
            return null;
        }
        if (props.redirectSchemes().stream().anyMatch(s -> s.equalsIgnoreCase(scheme)) && !scheme.equals("http")) {
            return null;
        }
        return "redirect URI '" + redirect + "' must use https, or http on localhost/127.0.0.1/[::1]";
    }

    private static void fail(String code, String description) {
        throw new OAuth2AuthenticationException(new OAuth2Error(code, description, "https://datatracker.ietf.org/doc/html/rfc7591#section-3.2.2"));
    }

    /** Spring's conversion, then Gatehouse's id (a host id), PKCE and consent required, rotating refresh tokens. */
    static Converter<OAuth2ClientRegistration, RegisteredClient> converter(OAuthProperties props) {
        OAuth2ClientRegistrationRegisteredClientConverter spring = new OAuth2ClientRegistrationRegisteredClientConverter();
        return registration -> {
            RegisteredClient base = spring.convert(registration);
            String name = registration.getClientName() == null || registration.getClientName().isBlank()
                    ? "unnamed client" : registration.getClientName();
            RegisteredClient.Builder b = RegisteredClient.from(base).id(Ids.id("host")).clientName(name)
                    .clientSettings(ClientSettings.withSettings(base.getClientSettings().getSettings())
                            .requireProofKey(true).requireAuthorizationConsent(true).build())
                    .tokenSettings(TokenSettings.builder()
                            .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                            .accessTokenTimeToLive(props.accessTokenTtl())
                            .refreshTokenTimeToLive(props.refreshTokenTtl())
                            .authorizationCodeTimeToLive(props.authorizationCodeTtl())
                            .reuseRefreshTokens(false)
                            .build());
            if (base.getAuthorizationGrantTypes().isEmpty()) {
                b.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE);
            }
            return b.build();
        };
    }
}
