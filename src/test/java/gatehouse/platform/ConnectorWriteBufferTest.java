package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

import gatehouse.testing.GatewayTestSupport;

/**
 * The running connector's socket write buffer is {@code gatehouse.http.write-buffer} (16 KiB), so an
 * answer up to that size (a merged list of 60 tools) leaves in one write rather than Tomcat's 8 KiB pieces.
 */
class ConnectorWriteBufferTest extends GatewayTestSupport {
    @Autowired
    private ServletWebServerApplicationContext web;

    @Test
    void theConnectorWritesThroughASixteenKibBuffer() {
        Connector connector = ((TomcatWebServer) web.getWebServer()).getTomcat().getConnector();
        assertThat(String.valueOf(connector.getProperty("socket.appWriteBufSize"))).isEqualTo(String.valueOf(16 * 1024));
    }
}
