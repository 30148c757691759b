package gatehouse.policy.rules;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real Microsoft Presidio Analyzer (the PyPI package in a virtual environment made by
 * {@code bin/presidio-venv}) behind the small REST wrapper in {@code src/test/python}, started once
 * per test JVM on loopback and stopped when the JVM exits. Without the environment the tests that
 * need it are skipped on a developer's machine and fail under {@code CI=true}.
 */
public final class PresidioService {
    private static String baseUrl;
    private static Process process;

    private PresidioService() {
    }

    /** The analyzer's base URL, starting it on first use. */
    public static synchronized String url() {
        if (baseUrl != null) {
            return baseUrl;
        }
        Path venv = Path.of(System.getenv().getOrDefault("GATEHOUSE_PRESIDIO_VENV",
                System.getProperty("user.home") + "/.cache/gatehouse/presidio-2.2.366"));
        Path python = venv.resolve("bin/python");
        if (!Files.isExecutable(python)) {
            String why = "no Presidio environment at " + venv + " (run bin/presidio-venv)";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        Path script = Path.of("src/test/python/presidio_server.py").toAbsolutePath();
        try {
            ProcessBuilder pb = new ProcessBuilder(python.toString(), script.toString(), "0").redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "");
            Process p = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(180, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("ready ")) {
                p.destroyForcibly();
                throw new IllegalStateException("the Presidio wrapper did not start (said: " + line + ")");
            }
            process = p;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> process.destroyForcibly()));
            baseUrl = "http://127.0.0.1:" + line.substring(6).trim();
            return baseUrl;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the Presidio wrapper did not start", e);
        }
    }
}
