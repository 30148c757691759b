package gatehouse.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The npm test servers (sdk2-server.mjs, sdk2-conformance-server.mjs) print one JSON line with their URL once listening. */
final class NodeServers {
    private NodeServers() {
    }

    /** Waits (up to 30 s) for the {@code {"url":…}} line in {@code out}, the server's standard output file. */
    static String awaitUrl(Path out, NodePeers.Background server) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (Files.exists(out)) {
                    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                        if (line.startsWith("{") && line.contains("\"url\"")) {
                            return E2eJson.parse(line).path("url").asString();
                        }
                    }
                }
            } catch (IOException e) {
                // not written yet
            }
            if (!server.isAlive()) {
                throw new IllegalStateException("the node server exited before listening; see " + out);
            }
            GatehouseJar.sleep(100);
        }
        throw new IllegalStateException("the node server did not print its URL within 30 s; see " + out);
    }
}
