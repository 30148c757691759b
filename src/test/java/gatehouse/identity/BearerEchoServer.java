package gatehouse.identity;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A 2025-11-25 Streamable HTTP MCP server that wants a bearer token and tells each caller which one
 * it presented: tool {@code whoami} answers the token. Requests without one get 401 with a
 * {@code WWW-Authenticate} challenge. Also a token endpoint ({@code /token}) that refreshes
 * {@code refresh-good} into a new access token and refuses anything else.
 */
final class BearerEchoServer implements AutoCloseable {
    private final HttpServer http;
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger refreshes = new AtomicInteger();
    /** Every Authorization header seen on MCP requests, in order. */
    final List<String> seen = new CopyOnWriteArrayList<>();
    /**
     * Each initialize that carried a token: the client's {@code clientInfo.name} (with {@code +tasks}
     * when it declared the {@code tasks} capability, as Gatehouse's discovery session does), a space,
     * the Authorization header.
     */
    final List<String> initialized = new CopyOnWriteArrayList<>();
    /** The description {@code whoami} is listed with (a test changes it to play a rug pull). */
    volatile String description = "Answers the bearer token it was called with";

    BearerEchoServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/mcp", this::mcp);
        http.createContext("/token", this::token);
        http.start();
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/mcp";
    }

    String tokenEndpoint() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/token";
    }

    int refreshes() {
        return refreshes.get();
    }

    private void mcp(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        byte[] body = ex.getRequestBody().readAllBytes();
        if (auth == null || !auth.startsWith("Bearer ") || auth.length() <= 7) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            send(ex, 401, "{\"error\":\"invalid_token\"}");
            return;
        }
        seen.add(auth);
        if (!ex.getRequestMethod().equals("POST")) {
            send(ex, ex.getRequestMethod().equals("DELETE") ? 200 : 405, "");
            return;
        }
        JsonNode msg = Json.tree(new String(body, StandardCharsets.UTF_8));
        if (!msg.has("id")) {
            send(ex, 202, "");
            return;
        }
        String method = msg.path("method").asString("");
        ObjectNode result = Json.object();
        switch (method) {
            case "initialize" -> {
                JsonNode params = msg.path("params");
                initialized.add(params.path("clientInfo").path("name").asString("")
                        + (params.path("capabilities").has("tasks") ? "+tasks" : "") + " " + auth);
                result.put("protocolVersion", "2025-11-25");
                result.putObject("capabilities").putObject("tools");
                result.putObject("serverInfo").put("name", "bearer-echo").put("version", "1");
                ex.getResponseHeaders().add("Mcp-Session-Id", "s-" + sessions.incrementAndGet());
            }
            case "tools/list" -> {
                ObjectNode tool = result.putArray("tools").addObject();
                tool.put("name", "whoami");
                tool.put("description", description);
                tool.putObject("inputSchema").put("type", "object");
            }
            case "tools/call" -> result.putArray("content").addObject().put("type", "text").put("text", auth.substring(7));
            case "ping" -> {
            }
            default -> {
                ObjectNode err = Json.object().put("jsonrpc", "2.0");
                err.set("id", msg.get("id"));
                err.putObject("error").put("code", -32601).put("message", "Method not found: " + method);
                send(ex, 200, Json.string(err));
                return;
            }
        }
        ObjectNode resp = Json.object().put("jsonrpc", "2.0");
        resp.set("id", msg.get("id"));
        resp.set("result", result);
        send(ex, 200, Json.string(resp));
    }

    private void token(HttpExchange ex) throws IOException {
        String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (form.contains("grant_type=refresh_token") && form.contains("refresh_token=refresh-good")) {
            int n = refreshes.incrementAndGet();
            send(ex, 200, "{\"access_token\":\"fresh-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"refresh-good\"}");
        } else {
            send(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token unknown\"}");
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        if (!body.isEmpty()) {
            ex.getResponseHeaders().add("Content-Type", "application/json");
        }
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
