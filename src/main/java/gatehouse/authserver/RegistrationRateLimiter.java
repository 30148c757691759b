package gatehouse.authserver;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    private final int perAddress;
    private final int total;
    private final Map<String, Deque<Instant>> byAddress = new ConcurrentHashMap<>();
    private final Deque<Instant> all = new ArrayDeque<>();

    RegistrationRateLimiter(String path, int perAddress, int total) {
        this.path = path;
        this.perAddress = perAddress;
        this.total = total;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !("POST".equals(request.getMethod()) && path.equals(request.getRequestURI()));
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

    synchronized boolean admit(String address, Instant now) {
        Instant cutoff = now.minus(WINDOW);
        Deque<Instant> mine = byAddress.computeIfAbsent(address, k -> new ArrayDeque<>());
        while (!mine.isEmpty() && mine.peekFirst().isBefore(cutoff)) {
            mine.pollFirst();
        }
        while (!all.isEmpty() && all.peekFirst().isBefore(cutoff)) {
            all.pollFirst();
        }
        byAddress.values().removeIf(Deque::isEmpty);
        if (mine.size() >= perAddress || all.size() >= total) {
            return false;
        }
        mine.addLast(now);
        byAddress.put(address, mine);
        all.addLast(now);
        return true;
    }
}
