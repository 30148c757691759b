package gatehouse.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.apache.catalina.Context;
import org.apache.catalina.core.StandardWrapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

import gatehouse.testing.AdminClient.Connection;
import gatehouse.testing.GatewayTestSupport;

/**
 * The MCP endpoint is served from its servlet's own Tomcat pipeline, past the generic filter chain,
 * and still meets every check that chain made for it: the edge filter (Host allow-list) and Spring
 * Security's firewall. A URI Tomcat only normalized to the endpoint takes the full chain, as before.
 */
class McpValveTest extends GatewayTestSupport {
    private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
    private static final String INIT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"valve-test\",\"version\":\"1\"}}}";

    @Autowired
    private ServletWebServerApplicationContext web;
    private Connection conn;

    @BeforeAll
    void gateway() {
        conn = admin.connect(admin.createGateway(unique("valve")));
    }

    private StandardWrapper mcpWrapper() {
        Context context = (Context) ((TomcatWebServer) web.getWebServer()).getTomcat().getHost().findChildren()[0];
        return (StandardWrapper) context.findChild(McpEndpointConfig.SERVLET_NAME);
    }

    @Test
    void theEndpointIsServedByTheValveInsteadOfTheFilterChain() throws IOException {
        StandardWrapper wrapper = mcpWrapper();
        assertThat(Arrays.stream(wrapper.getPipeline().getValves()).anyMatch(McpValve.class::isInstance)).isTrue();
        long before = wrapper.getRequestCount();

        String answer = raw("POST", "/gateway/v1/mcp?gateway=" + conn.gatewayId(), "127.0.0.1:" + port, INIT,
                "Authorization: Bearer " + conn.token());

        assertThat(answer).startsWith("HTTP/1.1 200").contains("Mcp-Session-Id").contains("\"protocolVersion\"");
        // Tomcat's wrapper valve (which builds the filter chain) counts what it serves: it never saw this one.
        assertThat(wrapper.getRequestCount()).isEqualTo(before);
    }

    @Test
    void aRequestInFlightKeepsTheServletAllocatedSoAGracefulShutdownWaitsForIt() throws Exception {
        StandardWrapper wrapper = mcpWrapper();
        byte[] body = INIT.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            String head = "POST /gateway/v1/mcp?gateway=" + conn.gatewayId() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + conn.token() + "\r\nContent-Length: " + body.length + "\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, 10); // the rest is held back: the request waits in the servlet for its body
            out.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> wrapper.getCountAllocated() > 0);

            out.write(body, 10, body.length - 10);
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            assertThat(all.toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> wrapper.getCountAllocated() == 0);
    }

    @Test
    void aForeignHostIsStillRefusedByTheEdgeFilter() throws IOException {
        String answer = raw("POST", "/gateway/v1/mcp?gateway=" + conn.gatewayId(), "attacker.example", PING,
                "Authorization: Bearer " + conn.token());
        assertThat(answer).startsWith("HTTP/1.1 421").contains("\"code\":-32600").contains("gatehouse.http.allowed-hosts");
    }

    @Test
    void aControlCharacterInAHeaderIsStillRefusedByTheFirewall() throws IOException {
        // Tomcat lets bytes 0x80-0xFF through as obs-text; U+0085 is a control character the firewall refuses.
        String answer = raw("POST", "/gateway/v1/mcp?gateway=" + conn.gatewayId(), "127.0.0.1:" + port, PING,
                "Authorization: Bearer " + conn.token() + "\u0085");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("\"code\":-32600").contains("Authorization header")
                .doesNotContain(conn.token());
    }

    @Test
    void aUriOnlyNormalizedToTheEndpointTakesTheFullChainWhereTheFirewallRefusesIt() throws IOException {
        StandardWrapper wrapper = mcpWrapper();
        long before = wrapper.getRequestCount();
        String answer = raw("POST", "/gateway/v1/mcp;jsessionid=x?gateway=" + conn.gatewayId(), "127.0.0.1:" + port, PING,
                "Authorization: Bearer " + conn.token());
        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(wrapper.getRequestCount()).isEqualTo(before + 1);
    }

    @Test
    void otherMethodsTakeTheFullChain() throws IOException {
        StandardWrapper wrapper = mcpWrapper();
        long before = wrapper.getRequestCount();
        String answer = raw("PUT", "/gateway/v1/mcp?gateway=" + conn.gatewayId(), "127.0.0.1:" + port, PING,
                "Authorization: Bearer " + conn.token());
        assertThat(answer).startsWith("HTTP/1.1 405");
        assertThat(wrapper.getRequestCount()).isEqualTo(before + 1);
    }

    /** One request on its own connection, written byte for byte (ISO-8859-1 headers), and the whole answer. */
    private String raw(String method, String target, String host, String body, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + "Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            req.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }
}
