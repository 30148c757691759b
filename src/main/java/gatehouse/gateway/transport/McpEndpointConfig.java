package gatehouse.gateway.transport;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import gatehouse.platform.GatehouseProperties;

@Configuration
class McpEndpointConfig {
    static final String PATH = "/gateway/v1/mcp";

    /**
     * No generic HTTP observation (timer, tags, context) per MCP message: the pipeline measures,
     * traces and logs every message itself (McpMetrics, the telemetry and audit steps), and the
     * servlet-wide observation cost more than the rest of a small call's filters.
     */
    @Bean
    io.micrometer.observation.ObservationPredicate mcpEndpointNotObservedTwice() {
        return (name, context) -> !(context instanceof org.springframework.http.server.observation.ServerRequestObservationContext c
                && PATH.equals(c.getCarrier().getRequestURI()));
    }

    @Bean
    ServletRegistrationBean<McpServlet> mcpServlet(McpHandler pipeline, GatehouseProperties props,
                                                   @Value("${gatehouse.mcp.body-read-timeout:30s}") Duration readTimeout,
                                                   @Value("${gatehouse.mcp.max-concurrent-body-reads:256}") int maxConcurrentReads) {
        McpServlet.BodyLimits limits = new McpServlet.BodyLimits(props.mcp().maxBodyBytes(), readTimeout, maxConcurrentReads);
        ServletRegistrationBean<McpServlet> bean = new ServletRegistrationBean<>(new McpServlet(pipeline, limits), PATH);
        bean.setName("mcp");
        bean.setLoadOnStartup(1);
        bean.setAsyncSupported(true);
        return bean;
    }
}
