package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.bench.FastUpstream;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.McpTestClient;

/**
 * {@code bin/aot} and {@code bin/start} as an operator runs them, on the packaged jar: copies of
 * the scripts beside a link to {@code target/gatehouse.jar} (sources older than the jar, so nothing
 * is rebuilt). {@code bin/aot} extracts the jar and writes the AOT cache from a short training run;
 * {@code bin/start} must then start the extracted application with it, the JVM must map it
 * ({@code -XX:AOTMode=on} refuses to start otherwise) and Gatehouse must serve MCP; a cache whose
 * stamp names another build must be left alone.
 */
class AotCacheE2ETest {
    private static final Duration AOT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    private static Path dir;
    private static HttpServer upstream;
    private static Run aot;

    record Run(int exit, String output) {
    }

    @BeforeAll
    static void buildTheCache() throws Exception {
        Path repo = GatehouseJar.targetDir().getParent();
        dir = GatehouseJar.workDir("AotCacheE2ETest");
        Files.createDirectories(dir.resolve("bin"));
        for (String script : List.of("aot", "start", "jdk.sh")) {
            Files.copy(repo.resolve("bin").resolve(script), dir.resolve("bin").resolve(script));
            dir.resolve("bin").resolve(script).toFile().setExecutable(true);
        }
        Files.createDirectories(dir.resolve("target"));
        Files.createSymbolicLink(dir.resolve("target/gatehouse.jar"), GatehouseJar.jarPath().toAbsolutePath());
        Files.createDirectories(dir.resolve("src"));
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
        Files.writeString(dir.resolve("pom.xml"), "<!-- not built here -->\n");
        Files.setLastModifiedTime(dir.resolve("pom.xml"), old);
        Files.setLastModifiedTime(dir.resolve("src"), old);

        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        upstream.createContext("/mcp", FastUpstream.handlerFor(false, "fast"));
        upstream.start();

        // A short training run keeps the test lean; the default (2,000 calls per generation) is for operators.
        aot = run(List.of("bash", dir.resolve("bin/aot").toString(), "--calls=200"), Map.of(), dir.resolve("aot.out"), AOT_TIMEOUT);
    }

    @AfterAll
    static void stopUpstream() {
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void binAotWritesTheExtractedLayoutTheCacheAndItsStamp() throws IOException {
        assertThat(aot.exit()).as("bin/aot:\n%s", aot.output()).isZero();
        Path out = dir.resolve("target/aot");
        assertThat(out.resolve("app/gatehouse.jar")).isRegularFile();
        assertThat(out.resolve("app/lib")).isDirectory();
        assertThat(Files.size(out.resolve("gatehouse.aot"))).as("the cache").isGreaterThan(1 << 20);
        assertThat(Files.readString(out.resolve("stamp"))).contains("jar-sha256=").contains("java=");
        assertThat(out.resolve("training")).as("the training run's data directory is removed").doesNotExist();
        assertThat(aot.output()).contains("AOT cache");
    }

    @Test
    void binStartUsesTheCacheAndTheGatewayServesMcp() throws Exception {
        assertThat(aot.exit()).as("bin/aot:\n%s", aot.output()).isZero();
        int port = GatehouseJar.freePort();
        Path log = dir.resolve("start-with-cache.log");
        // AOTMode=on: the JVM stops at once when it cannot map the cache, instead of running without it.
        Process p = start(port, "with-cache", "-XX:AOTMode=on -Xlog:aot", log);
        try {
            awaitHealthy(p, port, log);
            String out = Files.readString(log);
            assertThat(out).as("bin/start's and the JVM's (-Xlog:aot) output").contains("==> starting with the AOT cache")
                    .containsPattern("\\[info\\]\\[aot *\\] Opened AOT cache .*target/aot/gatehouse\\.aot");
            assertThat(p.info().arguments().map(List::of).orElse(List.of()))
                    .anySatisfy(a -> assertThat(a).startsWith("-XX:AOTCache=").endsWith("target/aot/gatehouse.aot"))
                    .anySatisfy(a -> assertThat(a).endsWith("target/aot/app/gatehouse.jar"));

            AdminClient admin = new AdminClient("http://127.0.0.1:" + port, GatehouseJar.ADMIN_TOKEN);
            String gw = admin.createGateway("aot");
            admin.assign(gw, admin.createHttpServer("fast", "streamable-http", "http://127.0.0.1:" + upstream.getAddress().getPort()
                    + "/mcp"), "a");
            AdminClient.Connection c = admin.connect(gw);
            try (McpTestClient mcp = new McpTestClient(URI.create(c.url()), c.token())) {
                assertThat(mcp.initialize(null).status()).isEqualTo(200);
                McpTestClient.Result r = mcp.callTool("a__echo", Json.object().put("text", "from the cache"));
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.result().path("content").get(0).path("text").asString()).isEqualTo("from the cache");
            }
        } finally {
            stop(p);
        }
    }

    @Test
    void aCacheFromAnotherBuildIsLeftAlone() throws Exception {
        assertThat(aot.exit()).as("bin/aot:\n%s", aot.output()).isZero();
        Path copy = dir.resolve("stale");
        // the same layout and cache with a stamp naming another jar, as after a rebuild of target/gatehouse.jar
        Files.createDirectories(copy);
        Files.createSymbolicLink(copy.resolve("app"), dir.resolve("target/aot/app"));
        Files.createSymbolicLink(copy.resolve("gatehouse.aot"), dir.resolve("target/aot/gatehouse.aot"));
        Files.writeString(copy.resolve("stamp"), Files.readString(dir.resolve("target/aot/stamp")).replaceFirst("jar-sha256=.", "jar-sha256=x"));
        int port = GatehouseJar.freePort();
        Path log = dir.resolve("start-stale.log");
        Process p = start(port, "stale", "", log, Map.of("GATEHOUSE_AOT_DIR", copy.toString()));
        try {
            // bin/start execs java: once its process carries "-jar", the choice is made (no need to wait for a whole start)
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!p.info().arguments().map(List::of).orElse(List.of()).contains("-jar")) {
                assertThat(p.isAlive()).as("bin/start exited:\n%s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("bin/start started no JVM:\n%s", Files.readString(log)).isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains("was made from another build of gatehouse.jar or another JDK: starting without it");
            assertThat(p.info().arguments().map(List::of).orElse(List.of()))
                    .noneSatisfy(a -> assertThat(a).startsWith("-XX:AOTCache"))
                    .anySatisfy(a -> assertThat(a).isEqualTo("target/gatehouse.jar"));
        } finally {
            stop(p);
        }
    }

    // --- helpers

    private static Process start(int port, String name, String javaOpts, Path log) throws IOException {
        return start(port, name, javaOpts, log, Map.of());
    }

    private static Process start(int port, String name, String javaOpts, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", dir.resolve("bin/start").toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_") || k.startsWith("OTEL_"));
        pb.environment().put("GATEHOUSE_PORT", Integer.toString(port));
        pb.environment().put("SERVER_ADDRESS", "127.0.0.1");
        pb.environment().put("GATEHOUSE_DATA_DIR", dir.resolve("data-" + name).toString());
        pb.environment().put("GATEHOUSE_ADMIN_TOKEN", GatehouseJar.ADMIN_TOKEN);
        pb.environment().put("GATEHOUSE_JAVA_OPTS", "-Xmx512m " + javaOpts);
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void awaitHealthy(Process p, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("bin/start exited:\n%s", Files.readString(log)).isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no /healthz within " + START_TIMEOUT + ":\n" + Files.readString(log));
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private static Run run(List<String> command, Map<String, String> env, Path output, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_") || k.startsWith("OTEL_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout + ":\n" + Files.readString(output));
        }
        return new Run(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
