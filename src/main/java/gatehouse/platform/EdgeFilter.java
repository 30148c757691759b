package gatehouse.platform;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The first thing every request meets, before Spring Security and every route:
 * <ul>
 * <li><b>Trusted proxies.</b> Only when the connection comes from an address in
 * {@code gatehouse.http.trusted-proxies} are {@code X-Forwarded-For} and {@code X-Forwarded-Proto}
 * believed; the client is the right-most forwarded address that is not itself a trusted proxy. Every
 * later use of the client address (sign-in throttle, registration limiter, logs) sees that address;
 * from anyone else the headers change nothing, so a client cannot pick its own address.</li>
 * <li><b>Host allow-list</b> (DNS rebinding): a page on {@code attacker.example} whose name is made
 * to resolve to Gatehouse's address reaches it with {@code Host: attacker.example}. Accepted are the
 * public URL's host, loopback names, IP literals (rebinding needs a name) and
 * {@code gatehouse.http.allowed-hosts}; anything else is refused with 421 before any route runs.
 * {@code /healthz} is exempt (probes use whatever name they like).</li>
 * </ul>
 */
public final class EdgeFilter extends HttpFilter {
    private static final Logger log = LoggerFactory.getLogger(EdgeFilter.class);
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "localhost.");

    private final List<AddressRange> proxies;
    private final Set<String> hosts;
    private final boolean anyHost;

    public EdgeFilter(EdgeProperties props, String publicUrl) {
        this.proxies = props.trustedProxies().stream().map(AddressRange::parse).toList();
        Set<String> h = new HashSet<>();
        boolean any = false;
        for (String s : props.allowedHosts()) {
            String n = s.strip().toLowerCase(Locale.ROOT);
            if (n.equals("*")) {
                any = true;
            } else if (!n.isEmpty()) {
                h.add(hostOnly(n));
            }
        }
        String publicHost = URI.create(publicUrl).getHost();
        if (publicHost != null) {
            h.add(hostOnly(publicHost.toLowerCase(Locale.ROOT)));
        }
        h.addAll(LOOPBACK_NAMES);
        this.hosts = Set.copyOf(h);
        this.anyHost = any;
    }

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest r = forwarded(req);
        if (!anyHost && !"/healthz".equals(req.getRequestURI())) {
            String host = req.getHeader("Host");
            if (!hostAllowed(host)) {
                refuseHost(req, resp, host);
                return;
            }
        }
        chain.doFilter(r, resp);
    }

    boolean hostAllowed(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return true; // HTTP/1.0 without Host: no name was used, so nothing was rebound
        }
        String h = hostOnly(hostHeader.strip().toLowerCase(Locale.ROOT));
        return hosts.contains(h) || isIpLiteral(h);
    }

    private static void refuseHost(HttpServletRequest req, HttpServletResponse resp, String host) throws IOException {
        String shown = LogSafe.text(host);
        log.info("refused a request for Host '{}' (not in gatehouse.http.allowed-hosts)", shown);
        String message = "Host '" + shown + "' is not served here; add it to gatehouse.http.allowed-hosts if it is a name of this Gatehouse";
        String quoted = Json.string(message);
        String body = req.getRequestURI().startsWith("/gateway/")
                ? "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":" + quoted + "}}"
                : "{\"type\":\"about:blank\",\"title\":\"Misdirected Request\",\"status\":421,\"detail\":" + quoted + "}";
        resp.setStatus(421);
        resp.setContentType(req.getRequestURI().startsWith("/gateway/") ? "application/json" : "application/problem+json");
        resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The request as the client made it, when it came through a trusted proxy; else unchanged. */
    HttpServletRequest forwarded(HttpServletRequest req) {
        if (proxies.isEmpty() || !trusted(req.getRemoteAddr())) {
            return req;
        }
        String client = null;
        String xff = req.getHeader("X-Forwarded-For");
        if (xff != null) {
            String[] hops = xff.split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].strip();
                if (!isIpLiteral(hop)) {
                    break; // a malformed hop: nothing left of it can be believed
                }
                client = hop;
                if (!trusted(hop)) {
                    break;
                }
            }
        }
        String proto = lastValue(req.getHeader("X-Forwarded-Proto"));
        String scheme = "https".equals(proto) || "http".equals(proto) ? proto : null;
        if (client == null && scheme == null) {
            return req;
        }
        String address = client;
        return new HttpServletRequestWrapper(req) {
            @Override
            public String getRemoteAddr() {
                return address != null ? address : super.getRemoteAddr();
            }

            @Override
            public String getRemoteHost() {
                return getRemoteAddr();
            }

            @Override
            public String getScheme() {
                return scheme != null ? scheme : super.getScheme();
            }

            @Override
            public boolean isSecure() {
                return scheme != null ? "https".equals(scheme) : super.isSecure();
            }
        };
    }

    private boolean trusted(String address) {
        for (AddressRange r : proxies) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static String lastValue(String header) {
        if (header == null) {
            return null;
        }
        String[] parts = header.split(",");
        return parts[parts.length - 1].strip().toLowerCase(Locale.ROOT);
    }

    /** The host of a Host header value (port and IPv6 brackets removed). */
    static String hostOnly(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(1, end);
        }
        int colon = host.indexOf(':');
        if (colon >= 0 && host.indexOf(':', colon + 1) < 0) {
            return host.substring(0, colon);
        }
        return host;
    }

    private static boolean isIpLiteral(String s) {
        if (s.isEmpty() || !(Character.isDigit(s.charAt(0)) || s.indexOf(':') >= 0)) {
            return false; // names never reach InetAddress (no resolution here)
        }
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Configuration
    @EnableConfigurationProperties(EdgeProperties.class)
    static class Registration {
        @Bean
        FilterRegistrationBean<EdgeFilter> edgeFilter(EdgeProperties edge, GatehouseProperties props) {
            FilterRegistrationBean<EdgeFilter> bean = new FilterRegistrationBean<>(new EdgeFilter(edge, props.publicUrl()));
            bean.setName("edge");
            bean.addUrlPatterns("/*");
            bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
            bean.setAsyncSupported(true);
            return bean;
        }
    }
}
