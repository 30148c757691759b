package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;

/**
 * What a stdio child gets to see: a cleared environment with an allow-list, a working directory
 * outside the data directory, and (with bubblewrap) no data directory at all. The process tests
 * start real children with the launch Gatehouse builds and look at what they saw.
 */
class StdioLaunchTest {
    private static final Map<String, String> PARENT = Map.of(
            "PATH", "/usr/bin:/bin", "HOME", "/home/gatehouse", "LANG", "C.UTF-8",
            "GATEHOUSE_ADMIN_TOKEN", "gha_secret", "GATEHOUSE_DB_PASSWORD", "db-secret", "GATEHOUSE_MASTER_KEY", "key",
            "AWS_SECRET_ACCESS_KEY", "aws", "HTTPS_PROXY", "http://proxy:3128");

    @TempDir
    Path tmp;

    @Test
    void theChildGetsTheAllowListAndItsOwnEnvOnly() {
        Map<String, String> env = StdioLaunch.environment(PARENT, StdioProperties.DEFAULTS, Map.of("API_KEY", "server-own"));
        assertThat(env).containsOnlyKeys("PATH", "HOME", "LANG", "API_KEY").containsEntry("API_KEY", "server-own");
    }

    @Test
    void furtherNamesPassOnlyWhenConfigured() {
        StdioProperties props = new StdioProperties(null, List.of("HTTPS_PROXY"), "off", "bwrap");
        assertThat(StdioLaunch.environment(PARENT, props, Map.of())).containsEntry("HTTPS_PROXY", "http://proxy:3128")
                .doesNotContainKeys("GATEHOUSE_ADMIN_TOKEN", "AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void theServersOwnEnvWinsOverTheParents() {
        assertThat(StdioLaunch.environment(PARENT, StdioProperties.DEFAULTS, Map.of("PATH", "/opt/tool/bin")))
                .containsEntry("PATH", "/opt/tool/bin");
    }

    @Test
    void workingDirectoriesLiveOutsideTheDataDirectory() {
        Path data = tmp.resolve("data");
        Path root = StdioLaunch.workRoot(StdioProperties.DEFAULTS, data);
        assertThat(root.startsWith(data)).isFalse();
        assertThat(StdioLaunch.workRoot(StdioProperties.DEFAULTS, data)).as("stable across restarts").isEqualTo(root);
        assertThat(StdioLaunch.workRoot(StdioProperties.DEFAULTS, tmp.resolve("other"))).as("one per data directory").isNotEqualTo(root);
        StdioProperties inside = new StdioProperties(data.resolve("stdio").toString(), List.of(), "off", "bwrap");
        assertThatThrownBy(() -> StdioLaunch.workRoot(inside, data)).hasMessageContaining("outside the data directory");
    }

    @Test
    void aRequiredSandboxThatIsNotInstalledRefusesToStart() {
        StdioProperties props = new StdioProperties(null, List.of(), "required", "no-such-bwrap-here");
        assertThatThrownBy(() -> StdioLaunch.of(List.of("true"), Map.of(), PARENT, props, tmp, "srv", tmp.resolve("data")))
                .hasMessageContaining("not installed");
        StdioProperties auto = new StdioProperties(null, List.of(), "auto", "no-such-bwrap-here");
        assertThat(StdioLaunch.of(List.of("true"), Map.of(), PARENT, auto, tmp, "srv", tmp.resolve("data")).command())
                .as("auto without bubblewrap runs the command as it is").containsExactly("true");
    }

    @Test
    void aRealChildSeesNoneOfGatehousesEnvironment() throws Exception {
        Map<String, String> parent = new HashMap<>(System.getenv());
        parent.put("GATEHOUSE_ADMIN_TOKEN", "gha_must_not_leak");
        Path data = Files.createDirectories(tmp.resolve("data"));
        StdioLaunch launch = StdioLaunch.of(List.of("sh", "-c", "env; echo CWD=$(pwd)"), Map.of("OWN", "mine"), parent,
                StdioProperties.DEFAULTS, tmp.resolve("work"), "srv", data);
        String out = run(launch);
        assertThat(out).contains("OWN=mine").doesNotContain("gha_must_not_leak");
        for (String name : System.getenv().keySet()) {
            if (!StdioProperties.ALWAYS_INHERITED.contains(name) && !List.of("PWD", "SHLVL", "_", "OLDPWD").contains(name)) {
                assertThat(out).as("variable %s", name).doesNotContain("\n" + name + "=");
            }
        }
        assertThat(out).contains("CWD=" + tmp.resolve("work").resolve("srv"));
    }

    @Test
    void inTheSandboxTheDataDirectoryIsEmptyAndTheRestReadOnly() throws Exception {
        assumeThat(Files.isExecutable(Path.of("/usr/bin/bwrap"))).as("bubblewrap installed (Debian: bubblewrap)").isTrue();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("master.key"), "the-master-key");
        StdioProperties props = new StdioProperties(null, List.of(), "required", "bwrap");
        String script = "cat " + data.resolve("master.key") + " 2>&1; ls -A " + data + "; test -r /usr/bin/env && echo ROOT_READABLE; "
                + "(echo x > /usr/gatehouse-sandbox-probe) 2>/dev/null || echo READ_ONLY; echo x > " + tmp.resolve("written.txt")
                + "; echo ok > own.txt && echo OWN_WRITABLE; echo HOME=$HOME";
        StdioLaunch launch = StdioLaunch.of(List.of("sh", "-c", script), Map.of(), System.getenv(), props, tmp.resolve("work"), "srv", data);
        String out = run(launch);
        assertThat(out).doesNotContain("the-master-key").contains("No such file").contains("ROOT_READABLE").contains("READ_ONLY")
                .contains("OWN_WRITABLE").contains("HOME=" + tmp.resolve("work").resolve("srv"));
        assertThat(tmp.resolve("work").resolve("srv").resolve("own.txt")).as("the working directory is the real one").exists();
        assertThat(Path.of("/usr/gatehouse-sandbox-probe")).doesNotExist();
        assertThat(tmp.resolve("written.txt")).as("/tmp is private to the sandbox").doesNotExist();
    }

    @Test
    void theSupervisedServerProcessIsStartedThatWay() {
        Path data = tmp.resolve("data");
        Path root = StdioLaunch.workRoot(StdioProperties.DEFAULTS, data);
        ServerDef server = new ServerDef("srv-env", "env-printer", Transport.STDIO, List.of("sh", "-c", "env >&2; echo CWD=$(pwd) >&2; exit 3"),
                Map.of("OWN", "mine"), null, Map.of(), Instant.now(), Instant.now());
        StdioUpstream s = new StdioUpstream(server, () -> StdioLaunch.of(server.command(), server.env(), System.getenv(),
                StdioProperties.DEFAULTS, root, server.id(), data), Upstreams.ownInitParams(), Duration.ofSeconds(5), 1 << 20);
        try {
            s.start();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> s.stderrTail().stream().anyMatch(l -> l.startsWith("CWD=")));
            List<String> seen = s.stderrTail();
            assertThat(seen).contains("OWN=mine").contains("CWD=" + root.resolve("srv-env"));
            for (String name : System.getenv().keySet()) {
                if (!StdioProperties.ALWAYS_INHERITED.contains(name) && !List.of("PWD", "SHLVL", "_", "OLDPWD").contains(name)) {
                    assertThat(seen).as("variable %s", name).noneMatch(l -> l.startsWith(name + "="));
                }
            }
        } finally {
            s.close();
        }
    }

    private static String run(StdioLaunch launch) throws IOException, InterruptedException {
        launch.prepare();
        ProcessBuilder pb = new ProcessBuilder(launch.command()).directory(launch.workDir().toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(launch.environment());
        Process p = pb.start();
        String out = "\n" + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
