package gatehouse.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * server-everything over HTTP as an independent upstream process
 * ({@code PORT=p node dist/index.js streamableHttp}, or {@code sse} for the legacy HTTP+SSE transport
 * of protocol 2024-11-05), which a test can kill and start again on the same port.
 */
final class EverythingHttpServer implements AutoCloseable {
    private final NodePeers peers;
    private final int port;
    private final Path logDir;
    private final String mode;
    private int generation;
    private Process process;

    EverythingHttpServer(NodePeers peers, int port, Path logDir) {
        this(peers, port, logDir, "streamableHttp");
    }

    /** {@code mode}: {@code streamableHttp} or {@code sse}. */
    EverythingHttpServer(NodePeers peers, int port, Path logDir, String mode) {
        this.peers = peers;
        this.port = port;
        this.logDir = logDir;
        this.mode = mode;
    }

    /** The MCP endpoint: {@code /mcp}, or the SSE stream {@code /sse} in {@code sse} mode. */
    String url() {
        return "http://127.0.0.1:" + port + ("sse".equals(mode) ? "/sse" : "/mcp");
    }

    /** Starts it and waits until the port accepts connections. */
    synchronized void start() {
        generation++;
        ProcessBuilder pb = new ProcessBuilder(peers.node(), peers.everything().toString(), mode)
                .directory(peers.dir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve("everything-" + mode + "-" + generation + ".log").toFile());
        pb.environment().put("PORT", Integer.toString(port));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start server-everything", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server-everything exited with " + process.exitValue() + "; see " + logDir);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                GatehouseJar.sleep(50);
            }
        }
        throw new IllegalStateException("server-everything did not listen on " + port + " within 30 s");
    }

    /** Kills it the hard way (SIGKILL, like a crash) and waits until it is gone. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server-everything survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        kill();
    }
}
