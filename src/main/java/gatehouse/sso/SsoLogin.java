package gatehouse.sso;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Component;

import gatehouse.identity.User;

/**
 * Wires OpenID Connect sign-in into the browser pages' filter chain: authorization requests always
 * carry PKCE (S256) besides {@code state} and {@code nonce}, and a {@code login_hint} when the
 * person typed their e-mail; on success the person becomes the Gatehouse user the provider's
 * subject maps to, with the same kind of principal a password sign-in gives (the user's id as
 * name), so everything after sign-in (the connection wizard, the authorization server) is the same.
 */
@Component
public class SsoLogin {
    private static final Logger log = LoggerFactory.getLogger(SsoLogin.class);
    public static final String AUTHORIZATION_BASE = "/oauth2/authorization";

    private final SsoProviders providers;
    private final SsoUsers users;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    SsoLogin(SsoProviders providers, SsoUsers users) {
        this.providers = providers;
        this.users = users;
    }

    public void configure(HttpSecurity http, String loginPage, String afterSignIn) throws Exception {
        SavedRequestAwareAuthenticationSuccessHandler then = new SavedRequestAwareAuthenticationSuccessHandler();
        then.setDefaultTargetUrl(afterSignIn);
        http.oauth2Login(o -> o.loginPage(loginPage)
                .clientRegistrationRepository(providers)
                .authorizationEndpoint(a -> a.baseUri(AUTHORIZATION_BASE).authorizationRequestResolver(resolver()))
                .successHandler((req, resp, auth) -> signedIn(req, resp, auth, then, loginPage))
                .failureHandler((req, resp, e) -> {
                    log.info("SSO sign-in failed: {}", e.getMessage());
                    req.getSession().setAttribute(WebAttributes.AUTHENTICATION_EXCEPTION, e);
                    resp.sendRedirect(loginPage + "?error");
                }));
    }

    private OAuth2AuthorizationRequestResolver resolver() {
        DefaultOAuth2AuthorizationRequestResolver base = new DefaultOAuth2AuthorizationRequestResolver(providers, AUTHORIZATION_BASE);
        base.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        return new OAuth2AuthorizationRequestResolver() {
            @Override
            public OAuth2AuthorizationRequest resolve(HttpServletRequest request) {
                return hint(request, base.resolve(request));
            }

            @Override
            public OAuth2AuthorizationRequest resolve(HttpServletRequest request, String registrationId) {
                return hint(request, base.resolve(request, registrationId));
            }
        };
    }

    private static OAuth2AuthorizationRequest hint(HttpServletRequest request, OAuth2AuthorizationRequest r) {
        String hint = request.getParameter("login_hint");
        if (r == null || hint == null || hint.isBlank() || hint.length() > 320) {
            return r;
        }
        return OAuth2AuthorizationRequest.from(r).additionalParameters(p -> p.put("login_hint", hint.trim())).build();
    }

    private void signedIn(HttpServletRequest req, HttpServletResponse resp, Authentication auth,
                          SavedRequestAwareAuthenticationSuccessHandler then, String loginPage) throws IOException, ServletException {
        OAuth2AuthenticationToken token = (OAuth2AuthenticationToken) auth;
        User user;
        try {
            SsoProvider provider = providers.byName(token.getAuthorizedClientRegistrationId())
                    .orElseThrow(() -> new SsoUsers.Refused("This sign-in provider was removed"));
            user = users.signIn(provider, (OidcUser) token.getPrincipal());
        } catch (SsoUsers.Refused e) {
            SecurityContextHolder.clearContext();
            contexts.saveContext(SecurityContextHolder.createEmptyContext(), req, resp);
            req.getSession().setAttribute(WebAttributes.AUTHENTICATION_EXCEPTION, e);
            resp.sendRedirect(loginPage + "?error");
            return;
        }
        UserDetails principal = org.springframework.security.core.userdetails.User.withUsername(user.id())
                .password("").authorities(List.of(new SimpleGrantedAuthority("ROLE_USER"))).build();
        UsernamePasswordAuthenticationToken local = UsernamePasswordAuthenticationToken.authenticated(principal, null, principal.getAuthorities());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(local);
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, req, resp);
        then.onAuthenticationSuccess(req, resp, local);
    }
}
