package gatehouse.scim;

import java.io.IOException;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

/** Every /scim/v2 call needs a SCIM bearer token; admin, MCP and OAuth tokens are refused here. */
class ScimAuthFilter extends OncePerRequestFilter {
    static final String TOKEN_NAME = ScimAuthFilter.class.getName() + ".token";
    private final ScimTokens tokens;

    ScimAuthFilter(ScimTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        String auth = req.getHeader("Authorization");
        Optional<String> name = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && !auth.substring(7).isBlank()
                ? tokens.authenticate(auth.substring(7).trim()) : Optional.empty();
        if (name.isEmpty()) {
            resp.setStatus(401);
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-scim\"");
            resp.setContentType(ScimErrors.SCIM_JSON);
            resp.getWriter().write("{\"schemas\":[\"" + ScimErrors.ERROR_SCHEMA + "\"],\"status\":\"401\","
                    + "\"detail\":\"a SCIM token is required: Authorization: Bearer <token> (POST /api/v1/scim-tokens)\"}");
            return;
        }
        req.setAttribute(TOKEN_NAME, name.get());
        chain.doFilter(req, resp);
    }

    @Configuration
    static class Registration {
        @Bean
        FilterRegistrationBean<ScimAuthFilter> scimAuth(ScimTokens tokens) {
            FilterRegistrationBean<ScimAuthFilter> bean = new FilterRegistrationBean<>(new ScimAuthFilter(tokens));
            bean.addUrlPatterns("/scim/v2/*");
            return bean;
        }
    }
}
