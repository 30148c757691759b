package gatehouse.authserver;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Open registration is an open door: this keeps it from becoming a flood. A sliding one-hour window
 * per client address and one for everybody; over either, 429 with {@code Retry-After}. In memory per
 * replica, which is enough to stop a loop or a casual abuser; administrators see and delete
 * registrations in the admin API.
 */
class RegistrationRateLimiter extends OncePerRequestFilter {
    private static final Duration WINDOW = Duration.ofHours(1);
    private final String path;
    private final SlidingWindows windows;

    RegistrationRateLimiter(String path, int perAddress, int total) {
        this.path = path;
        this.windows = new SlidingWindows(WINDOW, perAddress, total);
    }

    /**
     * Matched on the path as the container decoded and normalized it (percent-escapes, dot segments,
     * path parameters, repeated slashes), not on the raw URI, so {@code /oauth2/%72egister} or
     * {@code /oauth2/./register;x} cannot slip past while still reaching the endpoint.
     */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !("POST".equalsIgnoreCase(request.getMethod()) && path.equals(normalized(request)));
    }

    static String normalized(HttpServletRequest request) {
        String p = (request.getServletPath() == null ? "" : request.getServletPath())
                + (request.getPathInfo() == null ? "" : request.getPathInfo());
        p = p.replaceAll("/{2,}", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        if (!admit(req.getRemoteAddr(), Instant.now())) {
            resp.setStatus(429);
            resp.setHeader("Retry-After", "3600");
            resp.setContentType("application/json");
            resp.getWriter().write("{\"error\":\"invalid_client_metadata\",\"error_description\":\"too many client registrations; try again later\"}");
            return;
        }
        chain.doFilter(req, resp);
    }

    boolean admit(String address, Instant now) {
        return windows.admit(address, now);
    }
}
