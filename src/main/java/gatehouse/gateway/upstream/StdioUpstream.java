package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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

    /** Built at each start: a missing sandbox then shows as a start failure with its reason. */
    private final Supplier<StdioLaunch> launchSpec;
    private final ObjectNode initParams;
    private final Duration timeout;
    private final long maxMessageBytes;
    private final Deque<String> stderr = new ArrayDeque<>();
    private final Object writeLock = new Object();
    private volatile Process process;
    private volatile OutputStream stdin;
    private volatile boolean ready;
    private volatile boolean stopped;
    private volatile String lastExit;
    private volatile Instant nextStart;
    private volatile String whyDown;
    private Thread supervisor;
    private volatile Watcher watcher = Watcher.NONE;

    /** Told how the process fares, for server health (the reasons are for administrators, not clients). */
    interface Watcher {
        Watcher NONE = new Watcher() {
            @Override
            public void up() {
            }

            @Override
            public void down(String reason) {
            }
        };

        /** The process answered its handshake. */
        void up();

        /** The process could not start, or ended; it will be restarted after a backoff. */
        void down(String reason);
    }

    void watch(Watcher w) {
        this.watcher = w;
    }

    /** Started in {@code workDir} with the default allow-listed environment and no sandbox. */
    StdioUpstream(ServerDef server, java.nio.file.Path workDir, ObjectNode initParams, Duration timeout, long maxMessageBytes) {
        this(server, () -> new StdioLaunch(server.command(), StdioLaunch.environment(System.getenv(), StdioProperties.DEFAULTS, server.env()),
                workDir), initParams, timeout, maxMessageBytes);
    }

    StdioUpstream(ServerDef server, Supplier<StdioLaunch> launchSpec, ObjectNode initParams, Duration timeout, long maxMessageBytes) {
        super(server);
        this.launchSpec = launchSpec;
        this.initParams = initParams;
        this.timeout = timeout;
        this.maxMessageBytes = maxMessageBytes;
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
        while (!stopped) {
            Instant started = Instant.now();
            try {
                launch();
                int code = process.waitFor();
                lastExit = "exited with code " + code;
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException | IOException e) {
                // The detail (command, directory, the server's words) is for admins: stderr and the log.
                lastExit = e instanceof IOException ? "failed to start: could not run its command" : "failed to start: " + e.getMessage();
                whyDown = e instanceof IOException io ? couldNotRun(io) : lastExit;
                appendStderr("[gatehouse] failed to start: " + e.getMessage());
                log.info("stdio server {} failed to start: {}", server.name(), e.getMessage());
            } finally {
                ready = false;
                Process p = process;
                if (p != null && p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            failAll("stdio server '" + server.name() + "' " + lastExit);
            if (stopped) {
                break;
            }
            watcher.down(whyDown != null ? whyDown : lastExit + " (its stderr: GET /api/v1/servers/" + server.id() + "/stderr)");
            whyDown = null;
            if (Duration.between(started, Instant.now()).toSeconds() > 30) {
                backoffMs = 500;
            }
            nextStart = Instant.now().plusMillis(backoffMs);
            log.warn("stdio server {} {}; restarting in {} ms", server.name(), lastExit, backoffMs);
            String hint = lastStderrHint();
            if (!hint.isEmpty()) {
                log.info("stdio server {}{}", server.name(), hint);
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                break;
            }
            backoffMs = Math.min(backoffMs * 2, 30_000);
        }
    }

    private void launch() throws IOException {
        StdioLaunch spec = launchSpec.get();
        spec.prepare();
        ProcessBuilder pb = new ProcessBuilder(spec.command()).directory(spec.workDir().toFile());
        // Never Gatehouse's own environment (admin token, database password, master key): an allow-list only.
        pb.environment().clear();
        pb.environment().putAll(spec.environment());
        Process p = pb.start();
        process = p;
        stdin = p.getOutputStream();
        Thread.ofVirtual().name("stdio-err-" + server.name()).start(() -> pumpStderr(p));
        Thread.ofVirtual().name("stdio-out-" + server.name()).start(() -> pumpStdout(p));
        handshake(initParams, timeout);
        ready = true;
        nextStart = null;
        watcher.up();
        log.info("stdio server {} started (pid {})", server.name(), p.pid());
    }

    /** "could not run 'npx': no such file…" — the program's name, not its arguments (they may carry secrets). */
    private String couldNotRun(IOException e) {
        String program = server.command().isEmpty() ? "" : server.command().getFirst();
        String m = e.getMessage() == null ? "" : e.getMessage();
        String why = m.contains("No such file") || m.contains("error=2,") ? "no such file (is it installed and on the PATH?)"
                : m.contains("Permission denied") || m.contains("error=13,") ? "permission denied" : "it could not be started";
        return "failed to start: could not run '" + program + "': " + why;
    }

    private void pumpStdout(Process p) {
        try (BoundedLineReader r = new BoundedLineReader(p.getInputStream(), maxMessageBytes)) {
            String line;
            while ((line = nextLine(r)) != null) {
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

    /** The next line of stdout; one longer than the limit is discarded (and noted), never held. */
    private String nextLine(BoundedLineReader r) throws IOException {
        while (true) {
            try {
                return r.readLine();
            } catch (MessageTooLargeException e) {
                log.warn("stdio server {} wrote a line longer than {} bytes to stdout; discarded", server.name(), maxMessageBytes);
                appendStderr("[gatehouse] discarded a stdout line longer than " + maxMessageBytes
                        + " bytes (gatehouse.mcp.max-upstream-message-bytes)");
                if (!r.skipRest()) {
                    return null;
                }
            }
        }
    }

    private void pumpStderr(Process p) {
        try (BoundedLineReader r = new BoundedLineReader(p.getErrorStream(), 8192)) {
            while (true) {
                String line;
                try {
                    line = r.readLine();
                } catch (MessageTooLargeException e) {
                    appendStderr("[gatehouse] a stderr line longer than 8192 bytes; skipped");
                    if (r.skipRest()) {
                        continue;
                    }
                    break;
                }
                if (line == null) {
                    break;
                }
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
        // Its stderr is not part of the reason: clients see this; admins read stderr in the admin API.
        return "stdio server '" + server.name() + "' is not running (" + (lastExit == null ? "starting" : lastExit) + "; " + when + ")";
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
        closedAll("stdio server '" + server.name() + "' stopped");
    }
}
