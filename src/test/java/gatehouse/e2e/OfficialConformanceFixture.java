package gatehouse.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;

/**
 * The MCP conformance repository's reference server ({@code everything-server.ts}, TypeScript SDK
 * v1, Streamable HTTP) as an independent upstream. It is not on a registry: bin/test copies it from
 * {@code ../shared/peers/conformance-fixture} (beside the checkout) to {@code target/conformance-fixture},
 * runs {@code npm ci} there and exports the copy as {@value #ENV}. Without it the calling test class
 * is skipped and named at the end of the run; under {@code CI=true} or bin/test it fails instead, so
 * a broken peer setup cannot pass.
 */
final class OfficialConformanceFixture implements AutoCloseable {
    static final String ENV = "GATEHOUSE_CONFORMANCE_FIXTURE";
    static final String MISSING = ENV + " is not set, so the official conformance fixture is unavailable. Run bin/test (or .ci/run), "
            + "which copies ../shared/peers/conformance-fixture to target/conformance-fixture, runs npm ci there and exports it.";

    private final NodePeers.Background process;
    private final int port;

    private OfficialConformanceFixture(NodePeers.Background process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The prepared fixture directory (with its node_modules), or an aborted test (a failure under CI). */
    static Path directory(String testClass) {
        String dir = System.getenv(ENV);
        if (dir == null || dir.isBlank()) {
            if (NodePeers.required(System.getenv())) {
                throw new IllegalStateException(MISSING + " End-to-end tests are required here (CI=true or "
                        + NodePeers.REQUIRED_ENV + "=true), so a missing fixture fails the build.");
            }
            SkippedEndToEnd.skipped(testClass, MISSING);
            Assumptions.abort(MISSING);
        }
        Path d = Path.of(dir).toAbsolutePath();
        if (!Files.isRegularFile(d.resolve("everything-server.ts")) || !Files.isDirectory(d.resolve("node_modules/tsx"))) {
            throw new IllegalStateException(ENV + "=" + d + " holds no everything-server.ts with node_modules (npm ci there)");
        }
        return d;
    }

    /**
     * Starts {@code everything-server.ts} (through tsx, on Node 20+) and waits until it listens.
     * It takes its port from {@code PORT} only, so a port found free is tried, and another one if
     * something took it meanwhile.
     */
    static OfficialConformanceFixture start(NodePeers peers, Path logDir) {
        Path dir = directory(StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass().getName());
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = GatehouseJar.freePort();
            String name = "official-fixture-" + attempt;
            NodePeers.Background p = peers.start(name, List.of(peers.node(), dir.resolve("node_modules/tsx/dist/cli.mjs").toString(),
                    "everything-server.ts"), dir, Map.of("PORT", Integer.toString(port)), logDir);
            try {
                awaitListening(p, port, logDir.resolve(name + ".out"), logDir.resolve(name + ".err"));
                return new OfficialConformanceFixture(p, port);
            } catch (IllegalStateException e) {
                p.kill();
                last = e;
            }
        }
        throw last;
    }

    private static void awaitListening(NodePeers.Background p, int port, Path out, Path err) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the official conformance fixture exited before listening on " + port + ":\n"
                        + read(out) + read(err));
            }
            if (read(out).contains("MCP endpoint")) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    return;
                } catch (IOException e) {
                    // printed but not accepting yet
                }
            }
            GatehouseJar.sleep(100);
        }
        throw new IllegalStateException("the official conformance fixture did not listen on " + port + " within 60 s:\n" + read(out));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    @Override
    public void close() {
        process.kill();
    }
}
