package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;

/**
 * The admin API fuzzed from its own OpenAPI document by schemathesis (PyPI, installed by
 * {@code bin/schemathesis-venv}; {@code .ci/run} does it) against the packaged jar: every operation
 * with generated valid and invalid input, checked for server errors. Operations that would make
 * Gatehouse call out (server URLs, alert channels, SSO issuers, webhook rules) are left out, so
 * nothing leaves loopback. Afterwards the health check and the API still answer. Skipped on a
 * developer's machine without the environment; fails under {@code CI=true}.
 */
class SchemathesisE2ETest {
    private static Path dir;
    private static GatehouseJar gatehouse;

    @BeforeAll
    static void start() {
        dir = GatehouseJar.workDir("SchemathesisE2ETest");
        gatehouse = GatehouseJar.start(dir);
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    private static Path schemathesis() {
        Path venv = Path.of(System.getenv().getOrDefault("GATEHOUSE_SCHEMATHESIS_VENV",
                System.getProperty("user.home") + "/.cache/gatehouse/schemathesis-4.32.5"));
        Path cli = venv.resolve("bin/schemathesis");
        if (!Files.isExecutable(cli)) {
            String why = "no schemathesis environment at " + venv + " (run bin/schemathesis-venv)";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        return cli;
    }

    @Test
    void noOperationOfTheAdminApiAnswersAServerErrorToGeneratedInput() throws IOException, InterruptedException {
        Path cli = schemathesis();
        Path out = dir.resolve("schemathesis.txt");
        // The document is fetched here (its first generation can be slow on a busy machine) and
        // handed over as a file; the operations run against the jar.
        Path document = dir.resolve("openapi.json");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(180)).ignoreExceptions().untilAsserted(() -> {
            AdminClient.Answer a = gatehouse.admin().raw("GET", "/api/v1/openapi.json", null);
            assertThat(a.status()).isEqualTo(200);
            Files.writeString(document, a.text());
        });
        assertThat(Files.readString(document)).contains("\"/api/v1/gateways\"");
        List<String> command = new ArrayList<>(List.of(cli.toString(), "run", document.toString(),
                "--url", gatehouse.baseUrl(),
                "-H", "Authorization: Bearer " + GatehouseJar.ADMIN_TOKEN,
                "--checks", "not_a_server_error",
                "--phases", "examples,coverage,fuzzing",
                "--max-examples", "10",
                "--workers", "1",
                "--seed", "20261206",
                "--request-timeout", "60",
                "--max-time", "420",
                // calls out of the machine, or deletes the credentials this run uses
                "--exclude-path-regex", "^/api/v1/(servers|alert-channels|sso-providers|admin-tokens/|telemetry)|/rules",
                "--report", "junit", "--report-junit-path", dir.resolve("schemathesis-junit.xml").toString()));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean finished = p.waitFor(20, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String report = Files.readString(out);
        assertThat(finished).as("schemathesis finished; its output so far:%n%s", report).isTrue();
        assertThat(report).as("operations were tested").containsPattern("(?i)\\d+ (passed|operations)");
        assertThat(p.exitValue()).as("schemathesis found failures:%n%s", report).isZero();
        assertThat(gatehouse.admin().raw("GET", "/healthz", null).status()).isEqualTo(200);
        assertThat(gatehouse.admin().send("GET", "/gateways", null).status()).isEqualTo(200);
        assertThat(gatehouse.logText()).doesNotContain("internal error");
    }
}
