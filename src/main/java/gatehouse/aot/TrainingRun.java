package gatehouse.aot;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

/**
 * Writes an AOT cache for Gatehouse from a training run: the extracted application is started with
 * {@code -XX:AOTCacheOutput} on a fresh data directory of its own (embedded database, loopback
 * only), set up through the admin API, sent MCP traffic of both protocol generations through
 * {@link TrainingUpstream}, and ended with SIGTERM; the JDK writes the cache as the process exits.
 * Every answer is checked, so a build that does not serve cannot produce a cache.
 *
 * <p>{@code java -cp APP/gatehouse.jar gatehouse.aot.TrainingRun --jar=APP/gatehouse.jar
 * --cache=FILE.aot --work=DIR [--calls=N] [--java=PATH] [--jvm="FLAGS"]}; {@code bin/aot} runs it.
 */
public final class TrainingRun {
    private static final Duration START_LIMIT = Duration.ofSeconds(300);
    private static final Duration EXIT_LIMIT = Duration.ofSeconds(600);

    private final Path jar;
    private final Path cache;
    private final Path work;
    private final int calls;
    private final String java;
    private final List<String> jvmFlags;
    private final String adminToken = "gha_training_" + HexFormat.of().formatHex(SecureRandom.getSeed(16));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private String base;

    TrainingRun(Path jar, Path cache, Path work, int calls, String java, List<String> jvmFlags) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no application jar at " + jar + " (extract target/gatehouse.jar first: bin/aot does)");
        }
        if (calls < 1 || calls > 1_000_000) {
            throw new IllegalArgumentException("--calls must be between 1 and 1000000, was " + calls);
        }
        this.jar = jar.toAbsolutePath().normalize();
        this.cache = cache.toAbsolutePath().normalize();
        this.work = work.toAbsolutePath().normalize();
        this.calls = calls;
        this.java = java;
        this.jvmFlags = List.copyOf(jvmFlags);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("arguments are --name=value, got: " + a);
            }
            o.put(a.substring(2, eq), a.substring(eq + 1));
        }
        for (String required : List.of("jar", "cache", "work")) {
            if (!o.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + "= is required");
            }
        }
        String flags = o.getOrDefault("jvm", "").trim();
        TrainingRun run = new TrainingRun(Path.of(o.get("jar")), Path.of(o.get("cache")), Path.of(o.get("work")),
                Integer.parseInt(o.getOrDefault("calls", "2000")),
                o.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                flags.isEmpty() ? List.of() : List.of(flags.split("\\s+")));
        System.exit(run.run());
    }

    int run() throws Exception {
        Files.createDirectories(work);
        Files.deleteIfExists(cache);
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:AOTCacheOutput=" + cache));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("training.log").toFile());
        // Only what the training needs: a fresh embedded database, no operator settings (database URL,
        // public URL, master key) from the environment this runs in.
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_") || k.startsWith("SPRING_") || k.startsWith("SERVER_"));
        pb.environment().put("GATEHOUSE_PORT", Integer.toString(port));
        pb.environment().put("SERVER_ADDRESS", "127.0.0.1");
        pb.environment().put("GATEHOUSE_DATA_DIR", work.resolve("data").toString());
        pb.environment().put("GATEHOUSE_ADMIN_TOKEN", adminToken);
        say("training run: " + String.join(" ", cmd));
        long t0 = System.nanoTime();
        Process app = pb.start();
        // Interrupted (Ctrl-C on bin/aot): the half-trained gateway goes too, and no cache is written.
        Thread reaper = new Thread(app::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(reaper);
        try (TrainingUpstream upstream = new TrainingUpstream()) {
            awaitReady(app);
            say(String.format("ready after %.1f s; sending traffic (%d calls per protocol generation)", seconds(t0), calls));
            traffic(upstream);
        } catch (Exception | Error e) {
            app.destroyForcibly();
            throw e;
        }
        long t1 = System.nanoTime();
        say(String.format("traffic done %.1f s after the start; stopping with SIGTERM, the JDK writes the cache as the process exits",
                seconds(t0)));
        app.destroy();
        if (!app.waitFor(EXIT_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            app.destroyForcibly();
            throw new IllegalStateException("the training process did not exit within " + EXIT_LIMIT.toSeconds() + " s (log: "
                    + work.resolve("training.log") + ")");
        }
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IllegalStateException("the JVM wrote no AOT cache at " + cache + " (exit " + app.exitValue() + "; log: "
                    + work.resolve("training.log") + ")");
        }
        Runtime.getRuntime().removeShutdownHook(reaper);
        say(String.format("AOT cache %s (%d MB) written %.1f s after SIGTERM", cache, Files.size(cache) >> 20, seconds(t1)));
        return 0;
    }

    private void awaitReady(Process app) throws InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new IllegalStateException("Gatehouse exited during start-up (exit " + app.exitValue() + "; log: "
                        + work.resolve("training.log") + ")");
            }
            try {
                if (get("/healthz", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Gatehouse did not answer /healthz within " + START_LIMIT.toSeconds() + " s");
    }

    /** The traffic of a gateway's life: configuration, both generations, lists, calls, reads of logs and metrics. */
    private void traffic(TrainingUpstream upstream) throws Exception {
        String gw25 = api("POST", "/gateways", "{\"name\":\"training-2025\"}").get("id").asString();
        String gw26 = api("POST", "/gateways", "{\"name\":\"training-2026\"}").get("id").asString();
        String s25 = server("training-2025", upstream.url(false));
        String s26 = server("training-2026", upstream.url(true));
        api("PUT", "/gateways/" + gw25 + "/servers/" + s25, "{\"identity\":\"shared\",\"prefix\":\"a\"}");
        api("PUT", "/gateways/" + gw26 + "/servers/" + s26, "{\"identity\":\"shared\",\"prefix\":\"a\"}");
        String token25 = connection(gw25);
        String token26 = connection(gw26);
        String mcp25 = base + "/gateway/v1/mcp?gateway=" + gw25;
        String mcp26 = base + "/gateway/v1/mcp?gateway=" + gw26;

        // A few clients at once, as in service: sessions come and go, most messages are small calls.
        int clients = 4;
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try (pool) {
            List<Future<?>> work = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int share = Math.max(1, calls / clients);
                work.add(pool.submit(() -> {
                    client(mcp25, token25, false, share);
                    return null;
                }));
                work.add(pool.submit(() -> {
                    client(mcp26, token26, true, share);
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        }
        for (String path : List.of("/servers", "/gateways", "/hosts", "/connections", "/logs?limit=50",
                "/gateways/" + gw25 + "/logs?limit=50", "/gateways/" + gw25 + "/servers", "/gateways/" + gw25 + "/features", "/alerts")) {
            api("GET", path, null);
        }
        expect(get("/livez", null), 200, "/livez");
        expect(get("/metrics", adminToken), 200, "/metrics");
        expect(get("/login", null), 200, "/login");
    }

    private void client(String url, String token, boolean stateless, int count) {
        TrainingClient c = new TrainingClient(http, url, token, stateless);
        for (int i = 0; i < count; i++) {
            if (i % 250 == 0) {
                c.close();
                c.initialize();
                c.listTools();
            }
            if (i % 100 == 99) {
                c.call("a__big", "", "training text");
            } else {
                String text = "hello " + i;
                c.call("a__echo", text, text);
            }
        }
        if (!stateless) {
            c.ping(); // 2026-07-28 has no ping
        }
        c.close();
    }

    private String server(String name, String url) throws Exception {
        return api("POST", "/servers", "{\"name\":" + Json.string(name) + ",\"transport\":\"streamable-http\",\"url\":"
                + Json.string(url) + "}").get("id").asString();
    }

    private String connection(String gateway) throws Exception {
        String host = api("POST", "/hosts", "{\"name\":" + Json.string("training-" + gateway) + "}").get("id").asString();
        return api("POST", "/hosts/" + host + "/connections", "{\"gatewayId\":" + Json.string(gateway) + "}").get("token").asString();
    }

    private JsonNode api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1" + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " /api/v1" + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isBlank() ? Json.object() : Json.tree(r.body());
    }

    private HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + r.statusCode() + ", expected " + status);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void say(String line) {
        System.out.println("==> " + line);
        System.out.flush();
    }
}
