package gatehouse.admin.api;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

import gatehouse.catalog.CatalogService;

/** Every /api/v1 call needs an admin-API bearer token (stored hashed); it names the {@link AdminCaller}. */
class AdminAuthFilter extends OncePerRequestFilter {
    private final CatalogService catalog;

    AdminAuthFilter(CatalogService catalog) {
        this.catalog = catalog;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws ServletException, IOException {
        if (req.getRequestURI().equals("/api/v1/openapi.json")) {
            chain.doFilter(req, resp); // the API's description is public; every call it describes is not
            return;
        }
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            // Only admin-API tokens are looked up here: MCP, OAuth and SCIM tokens live in their own
            // stores and are never accepted in each other's place.
            java.util.Optional<String> name = catalog.adminTokenName(auth.substring(7).trim());
            if (name.isPresent()) {
                req.setAttribute(AdminCaller.ATTRIBUTE, AdminCaller.administrator(name.get()));
                chain.doFilter(req, resp);
                return;
            }
        }
        resp.setStatus(401);
        resp.setHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\"");
        resp.setContentType("application/problem+json");
        resp.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"detail\":\"an admin token is required: Authorization: Bearer <token> (see GATEHOUSE_ADMIN_TOKEN)\","
                + "\"instance\":\"" + req.getRequestURI().replace("\"", "") + "\"}");
    }

    @Configuration
    static class Registration {
        @Bean
        FilterRegistrationBean<AdminAuthFilter> adminAuth(CatalogService catalog) {
            FilterRegistrationBean<AdminAuthFilter> bean = new FilterRegistrationBean<>(new AdminAuthFilter(catalog));
            bean.addUrlPatterns("/api/v1/*");
            return bean;
        }
    }
}
