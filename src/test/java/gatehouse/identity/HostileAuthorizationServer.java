package gatehouse.identity;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An MCP server that asks for OAuth and serves its own resource and authorization server metadata,
 * as honest or as hostile as a test makes it: each path answers what the test put there (a function
 * of this server's base URL), so a test can make the metadata lie about the issuer or resource,
 * point endpoints elsewhere, or answer too much. Registration and token endpoints answer a fixed
 * client and token.
 */
final class HostileAuthorizationServer implements AutoCloseable {
    private final HttpServer http;
    final Map<String, Function<String, String>> documents = new ConcurrentHashMap<>();
    volatile int tokenRequests;

    HostileAuthorizationServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/", this::handle);
        http.start();
        honest();
    }

    String base() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    String mcpUrl() {
        return base() + "/mcp";
    }

    /** Metadata as an honest server publishes it. */
    void honest() {
        documents.put("/.well-known/oauth-protected-resource/mcp", b -> "{\"resource\":\"" + b + "/mcp\",\"authorization_servers\":[\"" + b + "\"]}");
        documents.put("/.well-known/oauth-authorization-server", b -> "{\"issuer\":\"" + b + "\",\"authorization_endpoint\":\"" + b
                + "/authorize\",\"token_endpoint\":\"" + b + "/token\",\"registration_endpoint\":\"" + b + "/register\","
                + "\"authorization_response_iss_parameter_supported\":true}");
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        ex.getRequestBody().readAllBytes();
        String b = base();
        switch (path) {
            case "/mcp" -> {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer resource_metadata=\"" + b + "/.well-known/oauth-protected-resource/mcp\"");
                send(ex, 401, "{}");
            }
            case "/register" -> send(ex, 201, "{\"client_id\":\"gatehouse-at-hostile\"}");
            case "/token" -> {
                tokenRequests++;
                send(ex, 200, "{\"access_token\":\"upstream-access\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
            }
            default -> {
                Function<String, String> doc = documents.get(path);
                if (doc == null) {
                    send(ex, 404, "{}");
                } else {
                    send(ex, 200, doc.apply(b));
                }
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
