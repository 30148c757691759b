package gatehouse.e2e;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Names, at the end of a test run, every end-to-end class that was skipped because the npm peers
 * are missing: printed as a banner and written to {@code target/e2e/NOT-RUN.txt}, so a green
 * {@code ./mvnw verify} without the peers says plainly what it did not test. Registered with the
 * JUnit Platform through META-INF/services.
 */
public final class SkippedEndToEnd implements TestExecutionListener {
    private static final Map<String, String> SKIPPED = new ConcurrentSkipListMap<>();

    static void skipped(String testClass, String reason) {
        SKIPPED.put(testClass, reason);
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (SKIPPED.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append("\n").append("!".repeat(100)).append("\n");
        b.append("!!! ").append(SKIPPED.size()).append(" END-TO-END TEST CLASS(ES) DID NOT RUN; this build tested less than it seems:\n");
        SKIPPED.forEach((cls, reason) -> b.append("!!!   ").append(cls).append("\n"));
        b.append("!!! Reason: ").append(SKIPPED.values().iterator().next()).append("\n");
        b.append("!!! Under CI=true or ").append(NodePeers.REQUIRED_ENV).append("=true (bin/test) this fails the build instead.\n");
        b.append("!".repeat(100)).append("\n");
        // The forked test JVM's System.out and System.err go to report files; its native stderr
        // reaches the Maven console, which is where this must be seen.
        PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        console.print(b);
        console.flush();
        try {
            Path report = GatehouseJar.targetDir().resolve("e2e").resolve("NOT-RUN.txt");
            Files.createDirectories(report.getParent());
            Files.writeString(report, b.toString());
        } catch (IOException | RuntimeException e) {
            System.err.println("[e2e] cannot write NOT-RUN.txt: " + e.getMessage());
        }
    }
}
