package gatehouse.console;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;

/**
 * The console's filter chain: a signed-in session (the same sign-in page, local accounts and SSO as
 * the connection pages; the session and its CSRF token are shared with them), CSRF protection on
 * every form, and a content security policy that allows scripts and styles from Gatehouse only, so
 * an escaped-but-somehow-injected script would still not run.
 */
@Configuration
class ConsoleSecurity {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    @Bean
    @Order(2)
    SecurityFilterChain consoleChain(HttpSecurity http) throws Exception {
        http.securityMatcher("/", "/admin", "/admin/", "/console", "/console/**")
                .authorizeHttpRequests(a -> a.requestMatchers("/", "/admin", "/admin/").permitAll().anyRequest().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/login")))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(CSP)))
                .logout(l -> l.disable()); // /logout belongs to the sign-in pages' chain
        return http.build();
    }
}
