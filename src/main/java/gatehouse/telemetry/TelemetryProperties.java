package gatehouse.telemetry;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code gatehouse.metrics.*}: who may read {@code /metrics}.
 *
 * @param scrapeToken a bearer token for Prometheus only (32+ characters); admin tokens work too
 * @param open        serve {@code /metrics} without authentication: only for a scraper on a
 *                    network nobody else reaches (the numbers name gateways, servers and tools)
 * @param maxToolSeries distinct tool names kept as label values; later ones count as {@code other},
 *                    so clients that call made-up names cannot grow the registry without bound
 */
@ConfigurationProperties("gatehouse.metrics")
public record TelemetryProperties(String scrapeToken, @DefaultValue("false") boolean open,
                                  @DefaultValue("2000") int maxToolSeries) {
    public TelemetryProperties {
        if (scrapeToken != null && !scrapeToken.isBlank() && scrapeToken.length() < 32) {
            throw new IllegalArgumentException("gatehouse.metrics.scrape-token must be at least 32 characters");
        }
    }
}
