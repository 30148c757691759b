package gatehouse.gateway.transport;

import java.time.Duration;

import org.apache.catalina.Container;
import org.apache.catalina.Wrapper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.HttpStatusRequestRejectedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import gatehouse.platform.EdgeFilter;
import gatehouse.platform.GatehouseProperties;

@Configuration
class McpEndpointConfig {
    static final String PATH = "/gateway/v1/mcp";
    static final String SERVLET_NAME = "mcp";

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
        bean.setName(SERVLET_NAME);
        bean.setLoadOnStartup(1);
        bean.setAsyncSupported(true);
        return bean;
    }

    /**
     * Puts {@link McpValve} on the MCP servlet's own pipeline when Tomcat adds the servlet, so the
     * endpoint meets the edge filter and the firewall (the same instances and kinds as the generic
     * chain) and nothing else. Without a firewall of the application's own, the endpoint's is a
     * strict one whose header checks are {@link HeaderText}'s (the same rule, without a regular
     * expression per header read).
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> mcpValve(FilterRegistrationBean<EdgeFilter> edgeFilter,
                                                                       ObjectProvider<HttpFirewall> firewall,
                                                                       ObjectProvider<RequestRejectedHandler> rejected) {
        McpValve valve = new McpValve(PATH, edgeFilter.getFilter(),
                firewall.getIfAvailable(HeaderText::firewall), rejected.getIfAvailable(HttpStatusRequestRejectedHandler::new));
        return factory -> factory.addContextCustomizers(context -> context.addContainerListener(event -> {
            if (Container.ADD_CHILD_EVENT.equals(event.getType()) && event.getData() instanceof Wrapper w
                    && SERVLET_NAME.equals(w.getName())) {
                w.getPipeline().addValve(valve);
            }
        }));
    }
}
