package gatehouse.admin.api;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.identity.Directory;
import gatehouse.platform.Json;

/**
 * Every /api/v1 call needs an admin bearer token. The caller it stands for is left in the request
 * ({@link AdminCaller#ATTRIBUTE}) for whatever decides what that caller may do. A missing token and
 * a wrong one get different words (the first is a set-up mistake, the second a wrong secret), the
 * same status.
 */
class AdminAuthFilter extends OncePerRequestFilter {
    private final AdminTokens tokens;
    private final Directory directory;

    AdminAuthFilter(AdminTokens tokens, Directory directory) {
        this.tokens = tokens;
        this.directory = directory;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws ServletException, IOException {
        if (req.getRequestURI().equals("/api/v1/openapi.json")) {
            chain.doFilter(req, resp); // the API's description is public; every call it describes is not
            return;
        }
        String auth = req.getHeader("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.substring(7).isBlank()) {
            refuse(req, resp, "an admin token is required: Authorization: Bearer <token> (see GATEHOUSE_ADMIN_TOKEN)");
            return;
        }
        // Only admin-API tokens are looked up here: MCP, OAuth and SCIM tokens live in their own
        // stores and are never accepted in each other's place.
        Optional<AdminTokens.Authenticated> token = tokens.authenticate(auth.substring(7).trim());
        if (token.isEmpty()) {
            refuse(req, resp, "invalid admin token: it is not an admin token of this Gatehouse, or it was revoked");
            return;
        }
        AdminTokens.Authenticated t = token.get();
        if (t.userId() != null && !directory.snapshot().enabledUsers().contains(t.userId())) {
            refuse(req, resp, "invalid admin token: it is not an admin token of this Gatehouse, or it was revoked");
            return;
        }
        req.setAttribute(AdminCaller.ATTRIBUTE, t.userId() == null ? AdminCaller.administrator(t.tokenName())
                : AdminCaller.user(t.tokenName(), t.userId(), directory.user(t.userId()).username()));
        chain.doFilter(req, resp);
    }

    private static void refuse(HttpServletRequest req, HttpServletResponse resp, String detail) throws IOException {
        resp.setStatus(401);
        resp.setHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-admin\"");
        resp.setContentType("application/problem+json");
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", "Unauthorized");
        problem.put("status", 401);
        problem.put("detail", detail);
        problem.put("instance", req.getRequestURI());
        resp.getWriter().write(Json.string(problem) + "\n");
    }

    @Configuration
    static class Registration {
        @Bean
        FilterRegistrationBean<AdminAuthFilter> adminAuth(AdminTokens tokens, Directory directory) {
            FilterRegistrationBean<AdminAuthFilter> bean = new FilterRegistrationBean<>(new AdminAuthFilter(tokens, directory));
            bean.addUrlPatterns("/api/v1/*");
            return bean;
        }
    }
}
