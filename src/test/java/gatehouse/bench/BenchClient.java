package gatehouse.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import gatehouse.platform.Json;

/**
 * A lean MCP client for the load generator: one HTTP/1.1 client per simulated client, requests
 * built from string templates, answers checked by content rather than parsed, so the generator's
 * own cost is small and the same for the direct and the gateway runs.
 */
final class BenchClient {
    private static final AtomicLong IDS = new AtomicLong();

    private final HttpClient http;
    private final URI uri;
    private final String bearer;
    private final boolean stateless;
    private String sessionId;

    BenchClient(String url, String bearer, boolean stateless) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        this.uri = URI.create(url);
        this.bearer = bearer;
        this.stateless = stateless;
    }

    /** The 2025 handshake (initialize, then notifications/initialized); a no-op for a stateless client. */
    void initialize() {
        if (stateless) {
            return;
        }
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":" + IDS.incrementAndGet()
                + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"gatehouse-bench\",\"version\":\"1\"}}}", "initialize", null);
        expect(r, "\"protocolVersion\"");
        sessionId = r.headers().firstValue("Mcp-Session-Id").orElseThrow(() -> new IllegalStateException("no Mcp-Session-Id from " + uri));
        HttpResponse<String> n = post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", "notifications/initialized", null);
        if (n.statusCode() / 100 != 2) {
            throw new IllegalStateException("notifications/initialized answered HTTP " + n.statusCode());
        }
    }

    /** tools/call with the argument {@code text}; the answer must contain {@code expect}. */
    void call(String tool, String text, String expect) {
        call(tool, "text", text, expect);
    }

    /** tools/call with one string argument {@code argument}; the answer must contain {@code expect}. */
    void call(String tool, String argument, String text, String expect) {
        String params = "{\"name\":" + Json.string(tool) + ",\"arguments\":{" + Json.string(argument) + ":" + Json.string(text) + "}"
                + meta() + "}";
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":" + IDS.incrementAndGet() + ",\"method\":\"tools/call\",\"params\":"
                + params + "}", "tools/call", tool);
        expect(r, expect);
    }

    /** tools/list; the answer must list {@code expectTools} tools. */
    void listTools(int expectTools) {
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":" + IDS.incrementAndGet() + ",\"method\":\"tools/list\",\"params\":{"
                + meta().substring(Math.min(1, meta().length())) + "}}", "tools/list", null);
        expect(r, "\"tools\"");
        int count = Json.tree(body(r)).path("result").path("tools").size();
        if (count != expectTools) {
            throw new IllegalStateException("tools/list listed " + count + " tools, expected " + expectTools);
        }
    }

    /** Opens the session's GET stream and leaves it open (its body is never read to the end). */
    CompletableFuture<HttpResponse<InputStream>> openStream() {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
        headers(b);
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    void close() {
        if (sessionId != null) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).DELETE();
            headers(b);
            try {
                http.send(b.build(), HttpResponse.BodyHandlers.discarding());
            } catch (IOException | InterruptedException e) {
                // best effort
            }
        }
        http.shutdownNow(); // close() would wait for an open GET stream, which never ends by itself
    }

    private String meta() {
        if (!stateless) {
            return "";
        }
        return ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{},"
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"gatehouse-bench\",\"version\":\"1\"}}";
    }

    private HttpResponse<String> post(String body, String method, String name) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers(b);
        if (stateless) {
            b.header("MCP-Protocol-Version", "2026-07-28").header("Mcp-Method", method);
            if (name != null) {
                b.header("Mcp-Name", name);
            }
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void headers(HttpRequest.Builder b) {
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
            b.header("MCP-Protocol-Version", "2025-11-25");
        }
    }

    /** An SSE answer's last data line, or the JSON body as it is. */
    private static String body(HttpResponse<String> r) {
        String b = r.body();
        if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            String last = null;
            for (String line : b.split("\n")) {
                if (line.startsWith("data:")) {
                    last = line.substring(5).trim();
                }
            }
            return last == null ? "" : last;
        }
        return b;
    }

    private void expect(HttpResponse<String> r, String expected) {
        String b = r.body();
        if (r.statusCode() != 200 || !b.contains(expected) || b.contains("\"error\":{")) {
            throw new IllegalStateException("unexpected answer from " + uri + ": HTTP " + r.statusCode() + " "
                    + (b.length() > 300 ? b.substring(0, 300) + "…" : b));
        }
    }
}
