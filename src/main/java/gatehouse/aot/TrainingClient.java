package gatehouse.aot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import gatehouse.platform.Json;

/**
 * An MCP client of the training run: the 2025-11-25 handshake with a session, or 2026-07-28
 * requests that each carry their own {@code _meta}. Every answer must be a 200 with the expected
 * content and no JSON-RPC error.
 */
final class TrainingClient {
    private static final AtomicLong IDS = new AtomicLong();
    private static final String META_2026 = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},\"io.modelcontextprotocol/clientInfo\":{\"name\":\"gatehouse-training\",\"version\":\"1\"}}";

    private final HttpClient http;
    private final URI uri;
    private final String bearer;
    private final boolean stateless;
    private String sessionId;

    TrainingClient(HttpClient http, String url, String bearer, boolean stateless) {
        this.http = http;
        this.uri = URI.create(url);
        this.bearer = bearer;
        this.stateless = stateless;
    }

    /** initialize + notifications/initialized (2025), or server/discover (2026). */
    void initialize() {
        if (stateless) {
            expect(post(request("server/discover", "{" + META_2026 + "}"), "server/discover", null), "2026-07-28");
            return;
        }
        HttpResponse<String> r = post(request("initialize", "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"gatehouse-training\",\"version\":\"1\"}}"), "initialize", null);
        expect(r, "\"protocolVersion\"");
        sessionId = r.headers().firstValue("Mcp-Session-Id").orElseThrow(() -> new IllegalStateException("initialize gave no Mcp-Session-Id"));
        HttpResponse<String> n = post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", "notifications/initialized", null);
        if (n.statusCode() / 100 != 2) {
            throw new IllegalStateException("notifications/initialized answered HTTP " + n.statusCode());
        }
    }

    void listTools() {
        expect(post(request("tools/list", stateless ? "{" + META_2026 + "}" : "{}"), "tools/list", null), "\"a__echo\"");
    }

    void call(String tool, String text, String expect) {
        String params = "{\"name\":" + Json.string(tool) + ",\"arguments\":{\"text\":" + Json.string(text) + "}"
                + (stateless ? "," + META_2026 : "") + "}";
        expect(post(request("tools/call", params), "tools/call", tool), expect);
    }

    void ping() {
        expect(post(request("ping", stateless ? "{" + META_2026 + "}" : "{}"), "ping", null), "\"result\"");
    }

    /** Ends the 2025 session (DELETE); nothing to end for a stateless client. */
    void close() {
        if (sessionId == null) {
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).DELETE();
        headers(b);
        HttpResponse<String> r = send(b);
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("DELETE of the session answered HTTP " + r.statusCode());
        }
        sessionId = null;
    }

    private static String request(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + IDS.incrementAndGet() + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private HttpResponse<String> post(String body, String method, String name) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers(b);
        if (stateless) {
            b.header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method);
            if (name != null) {
                b.header("Mcp-Name", name);
            }
        }
        return send(b);
    }

    private void headers(HttpRequest.Builder b) {
        b.header("Authorization", "Bearer " + bearer);
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void expect(HttpResponse<String> r, String expected) {
        String b = r.body();
        if (r.statusCode() != 200 || !b.contains(expected) || b.contains("\"error\":{")) {
            throw new IllegalStateException("unexpected answer from " + uri.getPath() + ": HTTP " + r.statusCode() + " "
                    + (b.length() > 300 ? b.substring(0, 300) + "…" : b));
        }
    }
}
