package gatehouse.telemetry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

import gatehouse.admin.tokens.AdminTokens;

/**
 * {@code /metrics} answers only an admin token (one not bound to a person) or the scrape token,
 * unless {@code gatehouse.metrics.open} says a scraper without credentials is expected.
 */
class MetricsAccessFilter extends OncePerRequestFilter {
    private final AdminTokens tokens;
    private final TelemetryProperties props;

    MetricsAccessFilter(AdminTokens tokens, TelemetryProperties props) {
        this.tokens = tokens;
        this.props = props;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
            throws ServletException, IOException {
        if (props.open() || allowed(req.getHeader("Authorization"))) {
            chain.doFilter(req, resp);
            return;
        }
        resp.setStatus(401);
        resp.setHeader("WWW-Authenticate", "Bearer realm=\"gatehouse-metrics\"");
        resp.setContentType("text/plain;charset=utf-8");
        resp.getWriter().write("metrics need Authorization: Bearer <admin token or gatehouse.metrics.scrape-token>\n");
    }

    private boolean allowed(String auth) {
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        String presented = auth.substring(7).trim();
        String scrape = props.scrapeToken();
        if (scrape != null && !scrape.isBlank()
                && MessageDigest.isEqual(scrape.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        return tokens.authenticate(presented).filter(t -> t.userId() == null).isPresent();
    }

    @Configuration
    @EnableConfigurationProperties(TelemetryProperties.class)
    static class Registration {
        @Bean
        FilterRegistrationBean<MetricsAccessFilter> metricsAccess(AdminTokens tokens, TelemetryProperties props) {
            FilterRegistrationBean<MetricsAccessFilter> bean = new FilterRegistrationBean<>(new MetricsAccessFilter(tokens, props));
            bean.addUrlPatterns("/metrics", "/metrics/*");
            return bean;
        }
    }
}
