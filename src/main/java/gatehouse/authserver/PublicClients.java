package gatehouse.authserver;

import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.keygen.Base64StringKeyGenerator;
import org.springframework.security.crypto.keygen.StringKeyGenerator;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.endpoint.PkceParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenGenerator;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * Refresh tokens for public clients, which Spring's authorization server does not issue: its
 * refresh-token generator returns nothing for a client without a secret, and a public client can
 * authenticate only on the authorization-code grant (by its PKCE verifier). MCP clients are public
 * clients that must refresh, so Gatehouse adds: a generator that issues refresh tokens to them (always
 * rotated: the registration sets {@code reuseRefreshTokens=false}, so each refresh token works once),
 * and client authentication by {@code client_id} alone on the refresh-token grant and on revocation,
 * for clients registered with {@code token_endpoint_auth_method=none}. The refresh token itself is the
 * proof, as OAuth 2.1 section 4.3.1 allows when it is sender-constrained or rotated.
 */
final class PublicClients {
    private PublicClients() {
    }

    /** Issues a refresh token to any client that may use the refresh-token grant. */
    static final class RefreshTokens implements OAuth2TokenGenerator<OAuth2RefreshToken> {
        private final StringKeyGenerator keys = new Base64StringKeyGenerator(Base64.getUrlEncoder().withoutPadding(), 96);

        @Override
        public OAuth2RefreshToken generate(OAuth2TokenContext context) {
            if (!OAuth2TokenType.REFRESH_TOKEN.equals(context.getTokenType())
                    || !context.getRegisteredClient().getAuthorizationGrantTypes().contains(AuthorizationGrantType.REFRESH_TOKEN)) {
                return null;
            }
            Instant now = Instant.now();
            return new OAuth2RefreshToken(keys.generateKey(), now, now.plus(context.getRegisteredClient().getTokenSettings().getRefreshTokenTimeToLive()));
        }
    }

    /**
     * {@code client_id} without any secret, assertion or PKCE verifier: a public client on the
     * refresh-token grant or at the revocation endpoint. The authorization-code grant stays with
     * Spring's PKCE-based public-client authentication.
     */
    static final class Converter implements AuthenticationConverter {
        @Override
        public Authentication convert(HttpServletRequest request) {
            if (request.getHeader("Authorization") != null || !"POST".equals(request.getMethod())) {
                return null;
            }
            String[] clientIds = request.getParameterValues(OAuth2ParameterNames.CLIENT_ID);
            if (clientIds == null || clientIds.length != 1 || clientIds[0].isBlank()
                    || request.getParameter(OAuth2ParameterNames.CLIENT_SECRET) != null
                    || request.getParameter(OAuth2ParameterNames.CLIENT_ASSERTION) != null
                    || request.getParameter(PkceParameterNames.CODE_VERIFIER) != null
                    || AuthorizationGrantType.AUTHORIZATION_CODE.getValue().equals(request.getParameter(OAuth2ParameterNames.GRANT_TYPE))) {
                return null;
            }
            Map<String, Object> additional = new HashMap<>();
            request.getParameterMap().forEach((k, v) -> {
                if (!k.equals(OAuth2ParameterNames.CLIENT_ID)) {
                    additional.put(k, v.length == 1 ? v[0] : v);
                }
            });
            return new OAuth2ClientAuthenticationToken(clientIds[0], ClientAuthenticationMethod.NONE, null, additional);
        }
    }

    /** Authenticates what {@link Converter} produced, for clients registered as public. */
    static final class Provider implements AuthenticationProvider {
        private final RegisteredClientRepository clients;

        Provider(RegisteredClientRepository clients) {
            this.clients = clients;
        }

        @Override
        public Authentication authenticate(Authentication authentication) {
            OAuth2ClientAuthenticationToken token = (OAuth2ClientAuthenticationToken) authentication;
            if (!ClientAuthenticationMethod.NONE.equals(token.getClientAuthenticationMethod())
                    || AuthorizationGrantType.AUTHORIZATION_CODE.getValue().equals(token.getAdditionalParameters().get(OAuth2ParameterNames.GRANT_TYPE))
                    || token.getAdditionalParameters().containsKey(PkceParameterNames.CODE_VERIFIER)) {
                return null;
            }
            RegisteredClient client = clients.findByClientId(String.valueOf(token.getPrincipal()));
            if (client == null || !client.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE)) {
                throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
                        "unknown client, or not a public client", null));
            }
            return new OAuth2ClientAuthenticationToken(client, ClientAuthenticationMethod.NONE, null);
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
        }
    }
}
