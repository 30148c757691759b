package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import gatehouse.testing.GatewayTestSupport;
import tools.jackson.databind.JsonNode;

/**
 * Requests Tomcat refuses before any filter runs: headers over {@code server.max-http-request-header-size}
 * (16 KiB) get a 431 that names the limit and its setting, unreadable HTTP a 400 that says so; both
 * as JSON-RPC on the MCP endpoint and as problem details elsewhere, never Tomcat's HTML page.
 */
class HeaderLimitValveTest extends GatewayTestSupport {
    /** Sends raw bytes and returns the whole answer (the server closes the connection after such an error). */
    private String exchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String bigHeader() {
        return "X-Padding: " + "x".repeat(40_000) + "\r\n";
    }

    private static JsonNode body(String answer) {
        return Json.tree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    }

    @Test
    void oversizedHeadersOnTheMcpEndpointGetA431JsonRpcErrorNamingTheLimit() throws IOException {
        String answer = exchange("POST /gateway/v1/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n" + bigHeader()
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(answer).startsWith("HTTP/1.1 431").containsIgnoringCase("content-type: application/json").doesNotContain("<html");
        JsonNode error = body(answer).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32600);
        assertThat(error.path("message").asString()).contains("larger than 16 KiB").contains("server.max-http-request-header-size");
    }

    @Test
    void oversizedHeadersOnTheAdminApiGetA431ProblemNamingTheLimit() throws IOException {
        String answer = exchange("GET /api/v1/servers HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bigHeader() + "\r\n");
        assertThat(answer).startsWith("HTTP/1.1 431").containsIgnoringCase("content-type: application/problem+json");
        JsonNode problem = body(answer);
        assertThat(problem.path("status").asInt()).isEqualTo(431);
        assertThat(problem.path("title").asString()).isEqualTo("Request Header Fields Too Large");
        assertThat(problem.path("detail").asString()).contains("server.max-http-request-header-size");
    }

    @Test
    void anApplicationsOwn400KeepsItsBodyAndType() throws IOException {
        String body = "{\"name\": \"\"}";
        String answer = exchange("POST /api/v1/servers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN
                + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertThat(answer).startsWith("HTTP/1.1 400").contains("\"detail\"").doesNotContain("not valid HTTP/1.1").doesNotContain("<html");
    }

    @Test
    void unreadableHttpGetsA400ThatSaysSoInsteadOfAnHtmlPage() throws IOException {
        String answer = exchange("POST /gateway/v1/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: many\r\n\r\n{}");
        assertThat(answer).startsWith("HTTP/1.1 400").doesNotContain("<html");
        assertThat(body(answer).path("error").path("message").asString()).contains("not valid HTTP/1.1");
    }
}
