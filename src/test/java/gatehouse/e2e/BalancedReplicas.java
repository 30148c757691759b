package gatehouse.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import gatehouse.testing.AdminClient;
import gatehouse.testing.TestPostgres;

/**
 * Two Gatehouse replicas on one fresh database of the real test PostgreSQL, sharing one master key,
 * behind a real HAProxy (Debian's) whose balancing the test chooses: the deployment that
 * docs/deployment.md describes, for the scale-out tests. Under CI a missing HAProxy fails the test;
 * elsewhere it is skipped loudly.
 */
final class BalancedReplicas implements AutoCloseable {
    static final Path HAPROXY = Path.of("/usr/sbin/haproxy");

    private final Path dir;
    private final String db;
    private final String balancer;
    private final List<GatehouseJar> replicas;
    private final Process haproxy;

    private BalancedReplicas(Path dir, String db, String balancer, List<GatehouseJar> replicas, Process haproxy) {
        this.dir = dir;
        this.db = db;
        this.balancer = balancer;
        this.replicas = replicas;
        this.haproxy = haproxy;
    }

    /**
     * Starts replicas {@code a} and {@code b} (each with {@code jarArgs}), then HAProxy with the
     * {@code defaults} lines after mode/timeouts and the {@code backend} lines before the two server
     * lines; {@code serverOptions} ends each server line (e.g. health checks). Waits until /healthz
     * answers through the balancer.
     */
    static BalancedReplicas start(String name, String defaults, String backend, String serverOptions, String... jarArgs)
            throws Exception {
        RequiredTools.require(HAPROXY, "haproxy (Debian package haproxy; .ci/run installs it)");
        String db = TestPostgres.newDatabase();
        int lbPort = GatehouseJar.freePort();
        String balancer = "http://127.0.0.1:" + lbPort;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = Map.of("GATEHOUSE_DB_URL", db, "GATEHOUSE_DB_USER", "postgres", "GATEHOUSE_DB_PASSWORD", "",
                "GATEHOUSE_MASTER_KEY", Base64.getEncoder().encodeToString(key), "GATEHOUSE_PUBLIC_URL", balancer);
        Path dir = GatehouseJar.workDir(name);
        List<GatehouseJar> replicas = new ArrayList<>();
        Process haproxy = null;
        try {
            replicas.add(GatehouseJar.start(Files.createDirectories(dir.resolve("a")), env, jarArgs));
            replicas.add(GatehouseJar.start(Files.createDirectories(dir.resolve("b")), env, jarArgs));
            Path cfg = dir.resolve("haproxy.cfg");
            String suffix = serverOptions.isBlank() ? "" : " " + serverOptions.strip();
            Files.writeString(cfg, """
                    global
                        maxconn 256
                    defaults
                        mode http
                        timeout connect 5s
                    %s
                    frontend gatehouse
                        bind 127.0.0.1:%d
                        default_backend replicas
                    backend replicas
                    %s
                        server a 127.0.0.1:%d%s
                        server b 127.0.0.1:%d%s
                    """.formatted(indent(defaults), lbPort, indent(backend), replicas.get(0).port(), suffix,
                    replicas.get(1).port(), suffix));
            haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            Awaitility.await("haproxy listening on " + balancer).atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> new AdminClient(balancer, GatehouseJar.ADMIN_TOKEN).raw("GET", "/healthz", null).status() == 200);
            return new BalancedReplicas(dir, db, balancer, List.copyOf(replicas), haproxy);
        } catch (Exception | Error e) {
            new BalancedReplicas(dir, db, balancer, replicas, haproxy).close();
            throw e;
        }
    }

    private static String indent(String lines) {
        return lines.strip().lines().map(l -> "    " + l.strip()).reduce((x, y) -> x + "\n" + y).orElse("");
    }

    /** The balancer's base URL, also every replica's public URL. */
    String balancer() {
        return balancer;
    }

    GatehouseJar a() {
        return replicas.get(0);
    }

    GatehouseJar b() {
        return replicas.get(1);
    }

    /** The JDBC URL of the replicas' database (user postgres, no password). */
    String db() {
        return db;
    }

    /** The test's working directory (logs of both replicas and of HAProxy). */
    Path dir() {
        return dir;
    }

    @Override
    public void close() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        }
        for (GatehouseJar g : replicas) {
            g.close();
        }
    }

    /** Fails under CI when a tool the test needs is missing, so a broken install step cannot pass silently. */
    static final class RequiredTools {
        static void require(Path tool, String what) {
            if (Files.isExecutable(tool)) {
                return;
            }
            String message = what + " is not installed at " + tool;
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            System.out.println("[e2e] SKIPPED: " + message);
            org.junit.jupiter.api.Assumptions.abort(message);
        }

        private RequiredTools() {
        }
    }
}
