package gatehouse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * IBM ContextForge (PyPI {@code mcp-contextforge-gateway}) as a peer in the benchmark, in front of
 * the same fast upstream as Gatehouse: installed by the harness into a virtual environment under
 * target/, started on loopback with a SQLite database, authentication on (a JWT made with its own
 * tool), the upstream registered as a Streamable HTTP gateway and its tools gathered in a virtual
 * server, whose {@code /servers/{id}/mcp} endpoint the load generator calls.
 */
final class ContextForge {
    static final String PACKAGE = "mcp-contextforge-gateway";

    final BenchProcess process;
    final String mcpUrl;
    final String token;
    final String version;

    private ContextForge(BenchProcess process, String mcpUrl, String token, String version) {
        this.process = process;
        this.mcpUrl = mcpUrl;
        this.token = token;
        this.version = version;
    }

    /** Installs (once) and starts ContextForge on {@code port}, fronting the 2025 upstream at {@code upstreamUrl}. */
    static ContextForge start(Path work, Path venv, int port, String upstreamUrl, String upstreamName) throws Exception {
        Path python = venv.resolve("bin/python");
        if (!Files.isExecutable(venv.resolve("bin/mcpgateway"))) {
            run(List.of(pythonOnPath(), "-m", "venv", venv.toString()), work.resolve("contextforge-install.log"), Duration.ofMinutes(2));
            run(List.of(venv.resolve("bin/pip").toString(), "install", "-q", PACKAGE), work.resolve("contextforge-install.log"),
                    Duration.ofMinutes(20));
        }
        String version = output(List.of(python.toString(), "-c",
                "import importlib.metadata as m; print(m.version('" + PACKAGE + "'))"), Duration.ofMinutes(1)).trim();
        Path dir = work.resolve("contextforge");
        Files.createDirectories(dir);
        // A fresh database each run; a stale SQLite -wal/-shm beside a new file is a "disk I/O error".
        for (String f : List.of("mcp.db", "mcp.db-wal", "mcp.db-shm", "mcp.db-journal")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        String secret = "bench-" + gatehouse.platform.Ids.random(40);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", "sqlite:///" + dir.toAbsolutePath().resolve("mcp.db"));
        env.put("JWT_SECRET_KEY", secret);
        env.put("PLATFORM_ADMIN_EMAIL", "admin@example.com");
        env.put("PLATFORM_ADMIN_PASSWORD", "Bench-" + gatehouse.platform.Ids.random(16));
        env.put("BASIC_AUTH_PASSWORD", "Bench-" + gatehouse.platform.Ids.random(16));
        env.put("MCPGATEWAY_UI_ENABLED", "false");
        env.put("CACHE_TYPE", "memory");
        // Sessions with Mcp-Session-Id, as Gatehouse keeps them for 2025 clients (its default is stateless).
        env.put("USE_STATEFUL_SESSIONS", "true");
        env.put("LOG_LEVEL", "WARNING");
        // The upstream is on loopback, which its SSRF guard refuses by default.
        env.put("SSRF_ALLOW_LOCALHOST", "true");
        BenchProcess p = BenchProcess.start("contextforge", List.of(venv.resolve("bin/mcpgateway").toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port)), env, work.resolve("contextforge.log"));
        try {
            return configure(p, "http://127.0.0.1:" + port, python, env, secret, upstreamUrl, upstreamName, version);
        } catch (Exception | Error e) {
            p.close(); // the harness only stops what start() returned
            throw e;
        }
    }

    private static ContextForge configure(BenchProcess p, String base, Path python, Map<String, String> env, String secret,
                                          String upstreamUrl, String upstreamName, String version) throws Exception {
        // HTTP/1.1: its server (uvicorn, h11) refuses the h2c upgrade java.net.http offers by default.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (!p.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("ContextForge did not answer /health; see its log contextforge.log");
            }
            Thread.sleep(250);
        }
        Map<String, String> tokenEnv = new LinkedHashMap<>(env);
        String token = lastLine(output(List.of(python.toString(), "-m", "mcpgateway.utils.create_jwt_token", "--username",
                "admin@example.com", "--exp", "600", "--secret", secret), tokenEnv, Duration.ofMinutes(1)));
        // Its administrator is created in the background after /health answers: until then the token is refused.
        JsonNode gateway = null;
        for (int attempt = 0; gateway == null; attempt++) {
            try {
                gateway = call(http, "POST", base + "/gateways", token, "{\"name\":" + Json.string(upstreamName) + ",\"url\":"
                        + Json.string(upstreamUrl) + ",\"transport\":\"STREAMABLEHTTP\"}");
            } catch (IllegalStateException refused) {
                if (attempt >= 120 || !refused.getMessage().contains(" 401")) {
                    throw refused;
                }
                Thread.sleep(500);
            }
        }
        if (!gateway.has("id")) {
            throw new IllegalStateException("ContextForge did not register the upstream: " + gateway);
        }
        ArrayNode ids = Json.MAPPER.createArrayNode();
        for (JsonNode t : call(http, "GET", base + "/tools", token, null)) {
            ids.add(t.path("id").asString());
        }
        JsonNode server = call(http, "POST", base + "/servers", token, "{\"server\":{\"name\":\"bench\",\"associated_tools\":"
                + ids + "}}");
        return new ContextForge(p, base + "/servers/" + server.path("id").asString() + "/mcp", token, version);
    }

    /** The name ContextForge gives an upstream's tool: the gateway's slug, a dash, the tool's name. */
    static String toolName(String upstreamName, String tool) {
        return upstreamName + "-" + tool;
    }

    private static JsonNode call(HttpClient http, String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("ContextForge " + method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return Json.tree(r.body());
    }

    private static String pythonOnPath() {
        for (String candidate : List.of("/usr/bin/python3.12", "/usr/bin/python3.11", "/usr/bin/python3")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "python3";
    }

    private static void run(List<String> cmd, Path log, Duration timeout) throws Exception {
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(timeout.toSeconds(), java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed; see " + log);
        }
    }

    private static String output(List<String> cmd, Duration timeout) throws Exception {
        return output(cmd, Map.of(), timeout);
    }

    private static String output(List<String> cmd, Map<String, String> env, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toSeconds(), java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + " failed");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String lastLine(String s) {
        List<String> lines = new ArrayList<>(s.strip().lines().toList());
        return lines.isEmpty() ? "" : lines.getLast().strip();
    }
}
