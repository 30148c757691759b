package gatehouse.authserver;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

import gatehouse.sso.SsoLogin;

/**
 * Spring Security's filter chains, in order. Only the authorization server's endpoints and the
 * browser pages (login, connection wizard) use sessions and CSRF; everything else (the MCP endpoint,
 * with its own bearer handling in the pipeline; the admin API, guarded by its admin-token filter;
 * health, metrics, metadata) passes through the last chain untouched: no session, no CSRF, no extra
 * headers, exactly as before Spring Security was added.
 */
@Configuration
@EnableWebSecurity
class SecurityChains {
    static final String LOGIN = "/login";

    /**
     * 0. The MCP endpoint is outside Spring Security altogether: the pipeline authenticates every
     * message itself, and on the hot path even a pass-through chain's filters cost more than the
     * rest of the relay.
     */
    @Bean
    WebSecurityCustomizer mcpEndpointOutsideSecurityChains() {
        return web -> web.ignoring().requestMatchers("/gateway/v1/mcp");
    }

    /**
     * Nor does the MCP endpoint get Spring's per-request HTTP observation: the audit log already
     * records every message, off the request path.
     */
    @Bean
    ObservationPredicate noHttpObservationOfMcpEndpoint() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext c && c.getCarrier() != null
                && "/gateway/v1/mcp".equals(c.getCarrier().getRequestURI()));
    }

    /** 1. The OAuth 2.1 authorization server: metadata, registration, authorize, token, revoke, JWKS. */
    @Bean
    @Order(1)
    SecurityFilterChain authorizationServerChain(HttpSecurity http, OAuthProperties props, Resources resources, GatehouseClients clients,
                                                 ConnectionBinding binding, AuthorizationServerSettings settings) throws Exception {
        http.oauth2AuthorizationServer(as -> {
                    http.securityMatcher(as.getEndpointsMatcher());
                    AuthorizationServerConfig.configure(as, props, resources, clients, binding);
                })
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.POST, settings.getClientRegistrationEndpoint()).permitAll()
                        .anyRequest().authenticated())
                // A person who is not signed in is sent to the login page, browser or script alike.
                .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint(LOGIN),
                        PathPatternRequestMatcher.withDefaults().matcher(settings.getAuthorizationEndpoint())))
                .addFilterBefore(AuthorizationServerConfig.registrationRateLimiter(props, settings), SecurityContextHolderFilter.class);
        return http.build();
    }

    /** 2. Browser pages: login and the connection wizard, with a session and CSRF protection. */
    @Bean
    @Order(2)
    SecurityFilterChain pagesChain(HttpSecurity http, SsoLogin sso) throws Exception {
        // Passwords are checked by LocalAccounts, the application's one AuthenticationProvider bean,
        // through the global authentication manager (adding it here as well would count each failure twice).
        // OpenID Connect sign-in: /oauth2/authorization/<provider> starts it, /login/oauth2/code/<provider> ends it.
        http.securityMatcher(LOGIN, LOGIN + "/**", SsoLogin.AUTHORIZATION_BASE + "/**", "/logout", "/connect", "/connect/**")
                .authorizeHttpRequests(a -> a.requestMatchers(LOGIN, LOGIN + "/**", SsoLogin.AUTHORIZATION_BASE + "/**").permitAll()
                        .anyRequest().authenticated())
                .formLogin(f -> f.loginPage(LOGIN).defaultSuccessUrl("/connect/signed-in").permitAll())
                .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl(LOGIN + "?logout"))
                .exceptionHandling(e -> e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint(LOGIN)));
        sso.configure(http, LOGIN, "/connect/signed-in");
        return http.build();
    }

    /** 3. Everything else keeps its own authentication (admin-token filter, MCP pipeline) or none. */
    @Bean
    @Order(3)
    SecurityFilterChain passThroughChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/**")
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(r -> r.disable())
                .headers(h -> h.disable())
                .logout(l -> l.disable());
        return http.build();
    }
}
