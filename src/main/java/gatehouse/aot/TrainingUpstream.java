package gatehouse.aot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The MCP server the training run puts behind Gatehouse, on loopback: {@code /mcp/2025} keeps
 * sessions (protocol 2025-11-25), {@code /mcp/2026} is stateless (2026-07-28). Tools: {@code echo}
 * answers its {@code text}, {@code big} a 100 KB text, and fillers so a list has some length. It
 * answers at once: the training run is about Gatehouse's code, not the upstream's.
 */
final class TrainingUpstream implements AutoCloseable {
    static final String BIG_TEXT = "training text for the cache ".repeat(100_000 / 28 + 1).substring(0, 100_000);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();

    TrainingUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.createContext("/mcp/2025", ex -> handle(ex, false));
        server.createContext("/mcp/2026", ex -> handle(ex, true));
        server.setExecutor(executor);
        server.start();
    }

    String url(boolean stateless) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + (stateless ? "/mcp/2026" : "/mcp/2025");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex, boolean stateless) throws IOException {
        try (ex) {
            switch (ex.getRequestMethod()) {
                case "DELETE" -> {
                    sessions.remove(ex.getRequestHeaders().getFirst("Mcp-Session-Id"));
                    respond(ex, 200, null);
                    return;
                }
                case "POST" -> {
                    // below
                }
                default -> {
                    respond(ex, 405, null);
                    return;
                }
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            JsonNode msg = Json.MAPPER.readTree(body);
            String method = msg.path("method").asString("");
            JsonNode id = msg.get("id");
            if (id == null) {
                respond(ex, 202, null);
                return;
            }
            if (!stateless) {
                if (method.equals("initialize")) {
                    String sid = UUID.randomUUID().toString();
                    sessions.add(sid);
                    ex.getResponseHeaders().set("Mcp-Session-Id", sid);
                    ObjectNode r = Json.object();
                    r.put("protocolVersion", msg.path("params").path("protocolVersion").asString("2025-11-25"));
                    r.putObject("capabilities").putObject("tools");
                    r.putObject("serverInfo").put("name", "training").put("version", "1");
                    respond(ex, 200, answer(id, r));
                    return;
                }
                String sid = ex.getRequestHeaders().getFirst("Mcp-Session-Id");
                if (method.equals("server/discover") || sid == null || !sessions.contains(sid)) {
                    respond(ex, method.equals("server/discover") ? 200 : 404, error(id, method.equals("server/discover")
                            ? -32601 : -32001, method.equals("server/discover") ? "Method not found" : "Session not found"));
                    return;
                }
            }
            ObjectNode result = switch (method) {
                case "server/discover" -> discover();
                case "tools/list" -> tools();
                case "tools/call" -> call(msg.path("params"));
                case "ping" -> Json.object();
                default -> null;
            };
            if (result == null) {
                respond(ex, 200, error(id, -32601, "Method not found: " + method));
                return;
            }
            if (stateless) {
                result.put("resultType", "complete");
            }
            respond(ex, 200, answer(id, result));
        }
    }

    private static ObjectNode discover() {
        ObjectNode r = Json.object();
        r.putArray("supportedVersions").add("2026-07-28");
        r.putObject("capabilities").putObject("tools");
        r.putObject("serverInfo").put("name", "training").put("version", "1");
        return r;
    }

    private static ObjectNode tools() {
        ObjectNode r = Json.object();
        ArrayNode tools = r.putArray("tools");
        for (String name : new String[] {"echo", "big", "t0", "t1", "t2", "t3", "t4", "t5"}) {
            ObjectNode t = tools.addObject();
            t.put("name", name);
            t.put("description", "Training tool " + name);
            ObjectNode schema = t.putObject("inputSchema");
            schema.put("type", "object");
            schema.putObject("properties").putObject("text").put("type", "string");
        }
        return r;
    }

    private static ObjectNode call(JsonNode params) {
        String text = params.path("name").asString("").equals("big") ? BIG_TEXT : params.path("arguments").path("text").asString("ok");
        ObjectNode r = Json.object();
        r.putArray("content").addObject().put("type", "text").put("text", text);
        return r;
    }

    private static byte[] answer(JsonNode id, ObjectNode result) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.set("id", id);
        m.set("result", result);
        return Json.bytes(m);
    }

    private static byte[] error(JsonNode id, int code, String message) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.set("id", id);
        m.putObject("error").put("code", code).put("message", message);
        return Json.bytes(m);
    }

    private static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
