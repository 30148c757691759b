package gatehouse.gateway.upstream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.catalog.ServerDef;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stdio server: one child process shared by every downstream session, kept running by a
 * supervisor that restarts it with exponential backoff when it dies. Its stderr goes to a bounded
 * in-memory log that the admin API shows.
 */
final class StdioUpstream extends UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(StdioUpstream.class);
    private static final int STDERR_LINES = 500;

    private final Path workDir;
    private final ObjectNode initParams;
    private final Duration timeout;
    private final Deque<String> stderr = new ArrayDeque<>();
    private final Object writeLock = new Object();
    private volatile Process process;
    private volatile OutputStream stdin;
    private volatile boolean ready;
    private volatile boolean stopped;
    private volatile String lastExit;
    private volatile Instant nextStart;
    private volatile Runnable onRestart = () -> { };
    private Thread supervisor;

    StdioUpstream(ServerDef server, Path workDir, ObjectNode initParams, Duration timeout) {
        super(server);
        this.workDir = workDir;
        this.initParams = initParams;
        this.timeout = timeout;
    }

    void onRestart(Runnable r) {
        this.onRestart = r;
    }

    /** True until the first start attempt has finished, successfully or not. */
    boolean startedRecently() {
        return lastExit == null;
    }

    synchronized void start() {
        if (supervisor == null) {
            supervisor = Thread.ofVirtual().name("stdio-" + server.name()).start(this::supervise);
        }
    }

    private void supervise() {
        long backoffMs = 500;
        int starts = 0;
        while (!stopped) {
            Instant started = Instant.now();
            try {
                launch();
                starts++;
                if (starts > 1) {
                    onRestart.run();
                }
                int code = process.waitFor();
                lastExit = "exited with code " + code;
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | IOException e) {
                lastExit = "failed to start: " + e.getMessage();
                appendStderr("[gatehouse] " + lastExit);
            } finally {
                ready = false;
                Process p = process;
                if (p != null && p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            failAll("stdio server '" + server.name() + "' " + lastExit + lastStderrHint());
            if (stopped) {
                break;
            }
            if (Duration.between(started, Instant.now()).toSeconds() > 30) {
                backoffMs = 500;
            }
            nextStart = Instant.now().plusMillis(backoffMs);
            log.warn("stdio server {} {}; restarting in {} ms", server.name(), lastExit, backoffMs);
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                break;
            }
            backoffMs = Math.min(backoffMs * 2, 30_000);
        }
    }

    private void launch() throws IOException {
        Files.createDirectories(workDir);
        ProcessBuilder pb = new ProcessBuilder(server.command()).directory(workDir.toFile());
        pb.environment().putAll(server.env());
        Process p = pb.start();
        process = p;
        stdin = p.getOutputStream();
        Thread.ofVirtual().name("stdio-err-" + server.name()).start(() -> pumpStderr(p));
        Thread.ofVirtual().name("stdio-out-" + server.name()).start(() -> pumpStdout(p));
        handshake(initParams, timeout);
        ready = true;
        nextStart = null;
        log.info("stdio server {} started (pid {})", server.name(), p.pid());
    }

    private void pumpStdout(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    if (Json.MAPPER.readTree(line) instanceof ObjectNode m) {
                        dispatch(m, null);
                    }
                } catch (JacksonException e) {
                    appendStderr("[stdout, not JSON-RPC] " + (line.length() > 500 ? line.substring(0, 500) + "…" : line));
                }
            }
        } catch (IOException e) {
            log.debug("stdout of {} closed: {}", server.name(), e.getMessage());
        }
    }

    private void pumpStderr(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                appendStderr(line);
            }
        } catch (IOException e) {
            log.debug("stderr of {} closed", server.name());
        }
    }

    private void appendStderr(String line) {
        synchronized (stderr) {
            stderr.addLast(line.length() > 2000 ? line.substring(0, 2000) + "…" : line);
            while (stderr.size() > STDERR_LINES) {
                stderr.removeFirst();
            }
        }
    }

    List<String> stderrTail() {
        synchronized (stderr) {
            return new ArrayList<>(stderr);
        }
    }

    private String lastStderrHint() {
        synchronized (stderr) {
            return stderr.isEmpty() ? "" : "; last stderr line: " + stderr.peekLast();
        }
    }

    @Override
    protected boolean sharedAcrossClients() {
        return true;
    }

    @Override
    public boolean isAlive() {
        return ready && !stopped;
    }

    /** Why the server is not usable right now, for a clear error. */
    String unavailableReason() {
        if (stopped) {
            return "stdio server '" + server.name() + "' is stopped";
        }
        Instant next = nextStart;
        String when = next == null ? "starting" : "restarting in " + Math.max(0, Duration.between(Instant.now(), next).toMillis()) + " ms";
        return "stdio server '" + server.name() + "' is not running (" + (lastExit == null ? "starting" : lastExit) + "; " + when + ")"
                + lastStderrHint();
    }

    @Override
    protected void transmit(ObjectNode message, PendingCall call) {
        OutputStream out = stdin;
        Process p = process;
        if (out == null || p == null || !p.isAlive()) {
            throw new UpstreamException(unavailableReason());
        }
        byte[] bytes = Json.bytes(message);
        synchronized (writeLock) {
            try {
                out.write(bytes);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                throw new UpstreamException("cannot write to stdio server '" + server.name() + "': " + e.getMessage(), e);
            }
        }
    }

    @Override
    protected void recover() {
        throw new UpstreamException(unavailableReason());
    }

    @Override
    public void close() {
        stopped = true;
        ready = false;
        Thread s = supervisor;
        if (s != null) {
            s.interrupt();
        }
        Process p = process;
        if (p != null) {
            List<ProcessHandle> children = p.descendants().toList();
            try {
                OutputStream out = stdin;
                if (out != null) {
                    out.close();
                }
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroy();
                    if (!p.waitFor(3, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            } catch (IOException | InterruptedException e) {
                p.destroyForcibly();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
        failAll("stdio server '" + server.name() + "' stopped");
    }
}
