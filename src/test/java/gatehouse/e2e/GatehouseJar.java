package gatehouse.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import gatehouse.testing.AdminClient;
import tools.jackson.databind.JsonNode;

/**
 * The packaged {@code target/gatehouse.jar}, started as a real process the way an operator starts it:
 * {@code java -jar} with {@code GATEHOUSE_PORT}, {@code GATEHOUSE_DATA_DIR} and
 * {@code GATEHOUSE_ADMIN_TOKEN}. Its output goes to {@code target/e2e/NAME/gatehouse.log}; {@link #admin()}
 * (the tests' one admin-API client) sets up servers, gateways and connections.
 * {@link #close()} stops it with SIGTERM and waits, as a service manager would.
 */
public final class GatehouseJar implements AutoCloseable {
    public static final String ADMIN_TOKEN = "gha_e2e_admin_token_0123456789abcdefghij";
    /** An upper bound for a loaded machine, not a measurement: start-up time belongs in the benchmarks. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    private final Process process;
    private final int port;
    private final Path dir;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AdminClient admin;
    private Duration shutdownTook;
    private boolean exitedOnSigterm;
    private List<ProcessHandle> childrenLeftBehind = List.of();

    private GatehouseJar(Process process, int port, Path dir, Path log) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.log = log;
        this.admin = new AdminClient(baseUrl(), ADMIN_TOKEN);
    }

    /** {@code target/}, next to the jar. */
    public static Path targetDir() {
        return jarPath().toAbsolutePath().getParent();
    }

    static Path jarPath() {
        return Path.of(System.getProperty("gatehouse.jar", "target/gatehouse.jar"));
    }

    /** A directory for one test class's files: {@code target/e2e/NAME}, emptied first. */
    public static Path workDir(String name) {
        Path d = targetDir().resolve("e2e").resolve(name);
        deleteRecursively(d);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    /** Starts the jar with a fresh data directory under {@code dir} and waits for {@code /healthz}. */
    public static GatehouseJar start(Path dir) {
        return start(dir, new String[0]);
    }

    /** The same, with command-line arguments after the jar (e.g. {@code --config FILE}, {@code --some.property=value}). */
    public static GatehouseJar start(Path dir, String... args) {
        return start(dir, Map.of(), args);
    }

    /**
     * The same, with environment variables set after the harness's own (so {@code GATEHOUSE_DB_*},
     * {@code GATEHOUSE_PUBLIC_URL} or {@code GATEHOUSE_MASTER_KEY} given here win).
     */
    public static GatehouseJar start(Path dir, Map<String, String> extraEnv, String... args) {
        Path jar = jarPath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " does not exist: run `./mvnw -q -DskipTests package` "
                    + "first (failsafe runs after the package phase, so `./mvnw verify` does that)");
        }
        // The port is chosen free, then bound by the jar: another process may take it in between.
        // The jar then stops at once saying so, and starts again on another port.
        for (int attempt = 1; ; attempt++) {
            GatehouseJar g = launch(jar, dir, freePort(), extraEnv, args);
            try {
                g.awaitHealthy();
                return g;
            } catch (PortTaken e) {
                if (attempt == 3) {
                    throw e;
                }
                System.out.printf("[e2e] port %d was taken before gatehouse.jar bound it; starting again on another%n", g.port);
            }
        }
    }

    /** The jar could not bind its port: someone took it after {@link #freePort()} found it free. */
    private static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }

    private static GatehouseJar launch(Path jar, Path dir, int port, Map<String, String> extraEnv, String... args) {
        Path data = dir.resolve("data");
        Path log = dir.resolve("gatehouse.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-jar", jar.toAbsolutePath().toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())); // a restart on the same directory keeps the earlier run's output
        pb.command().addAll(List.of(args));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("GATEHOUSE_DB_") || k.startsWith("OTEL_"));
        env.put("GATEHOUSE_PORT", Integer.toString(port));
        env.put("GATEHOUSE_DATA_DIR", data.toString());
        env.put("GATEHOUSE_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("GATEHOUSE_PUBLIC_URL", "http://127.0.0.1:" + port);
        env.putAll(extraEnv);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + pb.command(), e);
        }
        return new GatehouseJar(p, port, dir, log);
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long started = System.nanoTime();
        String lastAnswer = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = logTail(60);
                if (tail.contains("Port " + port + " was already in use")) {
                    throw new PortTaken("port " + port + " was taken:\n" + tail);
                }
                throw new IllegalStateException("gatehouse.jar exited with " + process.exitValue() + " before /healthz answered:\n" + tail);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/healthz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                lastAnswer = "HTTP " + r.statusCode();
                if (r.statusCode() == 200) {
                    System.out.printf("[e2e] gatehouse.jar healthy on port %d after %d ms (pid %d, log %s)%n", port,
                            (System.nanoTime() - started) / 1_000_000, process.pid(), log);
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for gatehouse.jar", e);
            }
            sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("gatehouse.jar did not answer /healthz with 200 within " + START_TIMEOUT + " (last: "
                + lastAnswer + "):\n" + logTail(60));
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public Path log() {
        return log;
    }

    public Path dir() {
        return dir;
    }

    /** The last {@code lines} lines of the jar's output, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- admin API

    /** The admin API of this jar, with the bootstrap admin token. */
    public AdminClient admin() {
        return admin;
    }

    /** Shortcut for {@code admin().expect(...)}: an admin-API call that must answer {@code expected}. */
    public JsonNode expect(int expected, String method, String path, Object body) {
        return admin.expect(expected, method, path, body);
    }

    public String createStdioServer(String name, List<String> command) {
        return admin.createStdioServer(name, command);
    }

    public String createHttpServer(String name, String url) {
        return admin.createHttpServer(name, "streamable-http", url);
    }

    public String createGateway(String name) {
        return admin.createGateway(name);
    }

    /** Assigns a server with a shared identity; an empty prefix exposes the upstream's own names. */
    public void assign(String gatewayId, String serverId, String prefix) {
        admin.assign(gatewayId, serverId, prefix);
    }

    /** A new API-token host with one connection to {@code gatewayId}. */
    public AdminClient.Connection connect(String gatewayId, String hostName) {
        return admin.connect(gatewayId, hostName);
    }

    /** Log records of a gateway, newest first. */
    public List<JsonNode> logs(String gatewayId, int limit) {
        return List.copyOf(admin.logs("gateway=" + gatewayId + "&limit=" + limit));
    }

    // --- lifecycle

    /** Stops the jar with SIGTERM and waits; SIGKILL only when it does not stop in time. */
    @Override
    public void close() {
        if (shutdownTook != null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        long t0 = System.nanoTime();
        process.destroy();
        boolean exited;
        try {
            exited = process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        shutdownTook = Duration.ofNanos(System.nanoTime() - t0);
        exitedOnSigterm = exited;
        if (!exited) {
            System.err.printf("[e2e] gatehouse.jar ignored SIGTERM for %s; killing it%n", STOP_TIMEOUT);
            process.destroyForcibly();
        }
        sleep(200);
        childrenLeftBehind = children.stream().filter(ProcessHandle::isAlive).toList();
        childrenLeftBehind.forEach(ProcessHandle::destroyForcibly);
        System.out.printf("[e2e] gatehouse.jar stopped in %d ms (exit %s); %d child process(es) left behind%n",
                shutdownTook.toMillis(), exited ? process.exitValue() : "killed", childrenLeftBehind.size());
    }

    /** How long SIGTERM took to stop the jar (after {@link #close()}); printed, never asserted. */
    public Duration shutdownTook() {
        return shutdownTook;
    }

    /** Whether the jar exited by itself after SIGTERM (after {@link #close()}), rather than being killed. */
    public boolean exitedOnSigterm() {
        return exitedOnSigterm;
    }

    /** Child processes (stdio servers) still alive after the jar exited (after {@link #close()}). */
    public List<ProcessHandle> childrenLeftBehind() {
        return childrenLeftBehind;
    }

    // --- helpers

    /**
     * A port free right now on 127.0.0.1 (the jar binds it a moment later; {@link #start} starts
     * again on another one should it be taken in between).
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
