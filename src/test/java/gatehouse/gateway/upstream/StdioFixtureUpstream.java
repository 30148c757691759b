package gatehouse.gateway.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.testing.AdminClient;

/**
 * The fixture as a stdio server: the gateway launches it as a child process. A system property
 * naming the server tags the command line, so a test can find (and kill) exactly this child.
 */
final class StdioFixtureUpstream implements UpstreamContractTest.Upstream {
    private final String name;
    private final String tag;
    private final String serverId;

    StdioFixtureUpstream(AdminClient admin, String name) {
        this.name = name;
        this.tag = "-Dgatehouse.fixture.tag=" + name;
        List<String> command = new ArrayList<>(ConformanceFixtureMain.stdioCommand());
        command.add(1, tag);
        this.serverId = admin.createStdioServer(name, command);
    }

    @Override
    public String serverId() {
        return serverId;
    }

    @Override
    public String name() {
        return name;
    }

    /** SIGKILL, so the gateway sees a crash, not a clean exit. */
    @Override
    public void kill() {
        List<ProcessHandle> mine = ProcessHandle.current().descendants().filter(p -> arguments(p).contains(tag)).toList();
        if (mine.isEmpty()) {
            throw new AssertionError("no child process runs " + name);
        }
        for (ProcessHandle p : mine) {
            p.destroyForcibly();
            p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /** Nothing to do: the gateway's supervisor restarts a stdio server by itself. */
    @Override
    public void revive() {
    }

    /** Deleting the server (done by the test) stops its process. */
    @Override
    public void close() {
    }

    private static List<String> arguments(ProcessHandle p) {
        try {
            // /proc shows the whole command line even where ProcessHandle.Info truncates it.
            String raw = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"), StandardCharsets.UTF_8);
            return List.of(raw.split("\0"));
        } catch (IOException | RuntimeException e) {
            return p.info().arguments().map(List::of).orElse(List.of());
        }
    }
}
