package gatehouse.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An MCP server that answers as fast as a JVM can, so that what a benchmark shows is the
 * gateway's own cost. Streamable HTTP at {@code /mcp}, plain JSON answers, no streams. In
 * {@code 2025} mode it holds sessions (initialize issues an {@code Mcp-Session-Id}, unknown ids
 * get 404); in {@code 2026} mode it is stateless (answers {@code server/discover} with
 * 2026-07-28 and reads each request's {@code _meta}); in {@code 2026-ttl0} mode it is that, and
 * its {@code tools/list} declares {@code ttlMs: 0} (a list nobody may keep: a gateway asks again
 * for every list, the uncached case).
 *
 * <p>Twenty tools ({@code t00}..{@code t19}); {@code echo} answers its {@code text} argument,
 * {@code big} a 100 KB text, {@code pii} a short text with an e-mail address, a card number and a
 * phone number in it. Run: {@code java -cp … gatehouse.bench.FastUpstream PORT 2025|2026|2026-ttl0 [NAME]}.
 */
public final class FastUpstream {
    static final String BIG_TEXT = "lorem ipsum dolor sit amet consectetur ".repeat(100_000 / 39 + 1).substring(0, 100_000);
    static final String PII_TEXT = "Contact jane.doe@example.org or +1 415 555 0132; card 4111 1111 1111 1111 on file.";

    private final boolean stateless;
    private final String name;
    private final Set<String> sessions = ConcurrentHashMap.newKeySet();
    private final byte[] toolsList;

    FastUpstream(boolean stateless, String name) {
        this(stateless, false, name);
    }

    /** {@code listTtlZero}: the tools list declares {@code ttlMs: 0} (2026 mode only). */
    FastUpstream(boolean stateless, boolean listTtlZero, String name) {
        this.stateless = stateless;
        this.name = name;
        ObjectNode result = Json.object();
        ArrayNode tools = result.putArray("tools");
        for (String t : new String[] {"echo", "big", "pii"}) {
            tools.add(tool(t, "Answers at once (" + t + ")"));
        }
        for (int i = 0; i < 17; i++) {
            tools.add(tool(String.format("t%02d", i), "Filler tool number " + i + " of the benchmark upstream"));
        }
        if (stateless && listTtlZero) {
            result.put("ttlMs", 0);
        }
        if (stateless) {
            result.put("resultType", "complete");
        }
        this.toolsList = Json.bytes(result);
    }

    private static ObjectNode tool(String name, String description) {
        ObjectNode t = Json.object();
        t.put("name", name);
        t.put("description", description);
        ObjectNode schema = t.putObject("inputSchema");
        schema.put("type", "object");
        schema.putObject("properties").putObject("text").put("type", "string");
        return t;
    }

    /** The server's handler, for tests that run it inside their own JVM on an {@link HttpServer} of their own. */
    public static com.sun.net.httpserver.HttpHandler handlerFor(boolean stateless, String name) {
        return new FastUpstream(stateless, name)::handle;
    }

    /** What a test sees of each POST before the fixture answers it: it may answer itself (true) or leave it to the fixture. */
    @FunctionalInterface
    public interface PostHook {
        boolean answered(HttpExchange exchange, JsonNode message) throws IOException;
    }

    /** Answers a hooked POST with {@code message} as plain JSON (for a {@link PostHook} that answers itself). */
    public static void answerJson(HttpExchange ex, ObjectNode message) throws IOException {
        byte[] out = Json.bytes(message);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, out.length);
        try (java.io.OutputStream o = ex.getResponseBody()) {
            o.write(out);
        }
    }

    /**
     * A 2025 fixture upstream on a loopback port of its own, in the test's JVM, whose POSTs pass
     * {@code hook} first. Stop it with {@code stop(0)}.
     */
    public static HttpServer startWithHook(String name, PostHook hook) throws IOException {
        return startWithHook(name, false, hook);
    }

    /** The same, as a stateless 2026-07-28 upstream when {@code stateless}. */
    public static HttpServer startWithHook(String name, boolean stateless, PostHook hook) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        var inner = handlerFor(stateless, name);
        server.createContext("/mcp", ex -> {
            if ("POST".equals(ex.getRequestMethod())) {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                if (hook.answered(ex, Json.MAPPER.readTree(body))) {
                    ex.close();
                    return;
                }
                ex.setStreams(new ByteArrayInputStream(body), null);
            }
            inner.handle(ex);
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        boolean stateless = args.length > 1 && args[1].startsWith("2026");
        boolean listTtlZero = args.length > 1 && args[1].equals("2026-ttl0");
        String name = args.length > 2 ? args[2] : "fast";
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
        FastUpstream up = new FastUpstream(stateless, listTtlZero, name);
        server.createContext("/mcp", up::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        System.out.println("listening on " + server.getAddress().getPort());
        System.out.flush();
    }

    void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (method.equals("DELETE")) {
                sessions.remove(ex.getRequestHeaders().getFirst("Mcp-Session-Id"));
                respond(ex, 200, null);
                return;
            }
            if (method.equals("GET")) {
                respond(ex, 405, null);
                return;
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            JsonNode msg = Json.MAPPER.readTree(body);
            String rpc = msg.path("method").asString("");
            JsonNode id = msg.get("id");
            if (id == null) {
                respond(ex, 202, null);
                return;
            }
            if (!stateless) {
                if (rpc.equals("initialize")) {
                    String sid = UUID.randomUUID().toString();
                    sessions.add(sid);
                    ex.getResponseHeaders().set("Mcp-Session-Id", sid);
                    ObjectNode result = Json.object();
                    result.put("protocolVersion", msg.path("params").path("protocolVersion").asString("2025-11-25"));
                    result.putObject("capabilities").putObject("tools");
                    result.putObject("serverInfo").put("name", name).put("version", "1.0.0");
                    respond(ex, 200, answer(id, Json.bytes(result)));
                    return;
                }
                if (rpc.equals("server/discover")) {
                    respond(ex, 200, error(id, -32601, "Method not found"));
                    return;
                }
                String sid = ex.getRequestHeaders().getFirst("Mcp-Session-Id");
                if (sid == null || !sessions.contains(sid)) {
                    respond(ex, 404, error(id, -32001, "Session not found"));
                    return;
                }
            }
            byte[] result = switch (rpc) {
                case "server/discover" -> discover();
                case "tools/list" -> toolsList;
                case "tools/call" -> call(msg.path("params"));
                case "ping" -> stateless ? "{\"resultType\":\"complete\"}".getBytes(StandardCharsets.UTF_8) : "{}".getBytes(StandardCharsets.UTF_8);
                default -> null;
            };
            respond(ex, 200, result == null ? error(id, -32601, "Method not found: " + rpc) : answer(id, result));
        }
    }

    private byte[] discover() {
        ObjectNode r = Json.object();
        r.putArray("supportedVersions").add("2026-07-28");
        r.putObject("capabilities").putObject("tools");
        r.putObject("serverInfo").put("name", name).put("version", "1.0.0");
        r.put("resultType", "complete");
        return Json.bytes(r);
    }

    private byte[] call(JsonNode params) {
        String tool = params.path("name").asString("");
        String text = switch (tool) {
            case "big" -> BIG_TEXT;
            case "pii" -> PII_TEXT;
            default -> params.path("arguments").path("text").asString("ok");
        };
        ObjectNode r = Json.object();
        r.putArray("content").addObject().put("type", "text").put("text", text);
        if (stateless) {
            r.put("resultType", "complete");
        }
        return Json.bytes(r);
    }

    private static byte[] answer(JsonNode id, byte[] result) {
        byte[] head = ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + result.length + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(result, 0, out, head.length, result.length);
        out[out.length - 1] = '}';
        return out;
    }

    private static byte[] error(JsonNode id, int code, String message) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":{\"code\":" + code + ",\"message\":" + Json.string(message) + "}}")
                .getBytes(StandardCharsets.UTF_8);
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
