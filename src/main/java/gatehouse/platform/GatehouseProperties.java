package gatehouse.platform;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Gatehouse's own settings; see docs/configuration.md. */
@ConfigurationProperties("gatehouse")
public record GatehouseProperties(
        String dataDir,
        String publicUrl,
        @DefaultValue Mcp mcp) {

    public record Mcp(
            @DefaultValue("4194304") long maxBodyBytes,
            @DefaultValue("60s") Duration upstreamTimeout,
            @DefaultValue("10s") Duration connectTimeout,
            @DefaultValue("30m") Duration sessionIdleTimeout,
            @DefaultValue("10000") int maxSessions,
            @DefaultValue List<String> allowedOrigins,
            /** The largest single message (HTTP body, SSE event, stdio line) accepted from an upstream. */
            @DefaultValue("16777216") long maxUpstreamMessageBytes,
            /** How long a stdio server's process may take from launch to its initialize answer (npx downloads, a JVM's start). */
            @DefaultValue("60s") Duration stdioStartTimeout) {
    }

    public String publicUrlNoSlash() {
        return publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    }
}
