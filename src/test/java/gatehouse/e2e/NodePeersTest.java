package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check that decides whether end-to-end tests run, skip or fail, on deliberately broken peer
 * setups: under CI (or bin/test's flag) nothing missing may turn into a skip.
 */
class NodePeersTest {
    @TempDir Path tmp;

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void withoutPeersAndWithoutCiTheClassesAreSkipped() {
        assertThat(NodePeers.fromEnvironment(env(), tmp)).isNull();
        assertThat(NodePeers.fromEnvironment(env("CI", "false"), tmp)).isNull();
    }

    @Test
    void withoutPeersUnderCiTheBuildFails() {
        assertThatThrownBy(() -> NodePeers.fromEnvironment(env("CI", "true"), tmp))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GATEHOUSE_NODE_DIR is not set")
                .hasMessageContaining("required");
    }

    @Test
    void withoutPeersWhenBinTestAsksForThemTheBuildFails() {
        assertThatThrownBy(() -> NodePeers.fromEnvironment(env(NodePeers.REQUIRED_ENV, "true"), tmp))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("required");
    }

    @Test
    void aPeerDirectoryWithoutItsPackagesFailsEvenOutsideCi() throws IOException {
        Path node = Files.createDirectories(tmp.resolve("node"));
        Files.createDirectories(node.resolve("node_modules/@modelcontextprotocol/sdk"));
        assertThatThrownBy(() -> NodePeers.fromEnvironment(env(NodePeers.ENV, node.toString()), tmp))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("lacks")
                .hasMessageContaining("@modelcontextprotocol/server-everything/dist/index.js");
    }

    @Test
    void aNodeBinaryThatDoesNotExistFails() throws IOException {
        Path modules = completeModules();
        assertThatThrownBy(() -> NodePeers.fromEnvironment(env(NodePeers.ENV, tmp.toString(), "GATEHOUSE_NODE_PEERS", modules.toString(),
                "GATEHOUSE_NODE", tmp.resolve("no-such-node").toString()), tmp))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GATEHOUSE_NODE=").hasMessageContaining("cannot be started");
    }

    @Test
    void aNodeThatIsTooOldForTheConformanceSuiteFails() throws IOException {
        Path modules = completeModules();
        Path oldNode = tmp.resolve("node18");
        Files.writeString(oldNode, "#!/bin/sh\necho v18.19.0\n");
        assertThat(oldNode.toFile().setExecutable(true)).isTrue();
        assertThatThrownBy(() -> NodePeers.fromEnvironment(env(NodePeers.ENV, tmp.toString(), "GATEHOUSE_NODE_PEERS", modules.toString(),
                "GATEHOUSE_NODE", oldNode.toString(), "GATEHOUSE_NODE22", oldNode.toString()), tmp))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is Node v18.19.0; Node 20 or later is needed");
    }

    /** A node_modules with every required file present (empty), so only the Node checks can fail. */
    private Path completeModules() throws IOException {
        Path modules = tmp.resolve("modules");
        for (String f : NodePeers.REQUIRED_PACKAGES) {
            Path p = modules.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "");
        }
        return modules;
    }
}
