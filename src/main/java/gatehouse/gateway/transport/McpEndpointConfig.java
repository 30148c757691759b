package gatehouse.gateway.transport;

import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import gatehouse.gateway.pipeline.McpPipeline;
import gatehouse.platform.GatehouseProperties;

@Configuration
class McpEndpointConfig {
    static final String PATH = "/gateway/v1/mcp";

    @Bean
    ServletRegistrationBean<McpServlet> mcpServlet(McpPipeline pipeline, GatehouseProperties props) {
        ServletRegistrationBean<McpServlet> bean = new ServletRegistrationBean<>(new McpServlet(pipeline, props.mcp().maxBodyBytes()), PATH);
        bean.setName("mcp");
        bean.setLoadOnStartup(1);
        bean.setAsyncSupported(true);
        return bean;
    }
}
