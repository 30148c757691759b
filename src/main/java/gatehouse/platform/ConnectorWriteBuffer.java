package gatehouse.platform;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * {@code gatehouse.http.write-buffer}: the size of each connection's socket write buffer (Tomcat's
 * {@code socket.appWriteBufSize}, 8 KiB by default). Tomcat sends an answer through it in pieces
 * of at most that size, one system call (and one wake-up of the client) each: a merged list of
 * 60 tools (about 10 KB) went out in two writes, a 100 KB result in thirteen. At 16 KiB the list
 * goes out in one and the 100 KB result in seven; every open connection (an idle MCP session's
 * stream too) holds the buffer, so a larger one costs memory per connection.
 */
@Configuration
class ConnectorWriteBuffer {
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> socketWriteBuffer(@Value("${gatehouse.http.write-buffer:16KB}") DataSize size) {
        long bytes = size.toBytes();
        if (bytes < 1024 || bytes > 1024 * 1024) {
            throw new IllegalArgumentException("gatehouse.http.write-buffer must be between 1KB and 1MB");
        }
        return factory -> factory.addConnectorCustomizers(c -> c.setProperty("socket.appWriteBufSize", String.valueOf(bytes)));
    }
}
