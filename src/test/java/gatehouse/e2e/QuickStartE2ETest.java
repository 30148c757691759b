package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;
import tools.jackson.databind.JsonNode;

/**
 * The documentation as a smoke test: the README's "Five minutes" block is taken from README.md as
 * it is and run with bash on a fresh data directory, twice in one shell as a person pasting it twice
 * would. Its own {@code bin/start} starts the packaged jar (a copy of the script next to a link to
 * {@code target/gatehouse.jar}, so it never rebuilds); its {@code npx -y …server-everything} runs the
 * real package, found in an npm project that has it installed (the test peers), with npm offline.
 * The only change to the text is the port ({@code localhost:8080} → a free one). Then the client
 * snippets of docs/clients.md (TypeScript SDK v1 and v2) run against the connection the block made.
 */
class QuickStartE2ETest {
    private static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(8);

    private static NodePeers peers;
    private static Path dir;
    private static Path repo;
    private static int port;
    private static String admin;
    private static String adminToken;
    private static NodePeers.Run pasted;
    private static ProcessHandle started;

    @BeforeAll
    static void pasteTheBlockTwice() throws IOException {
        peers = NodePeers.fromEnvironment();
        repo = GatehouseJar.targetDir().getParent();
        dir = GatehouseJar.workDir("QuickStartE2ETest");
        port = GatehouseJar.freePort();
        admin = "http://localhost:" + port + "/api/v1";

        // bin/start as shipped, beside the packaged jar; sources older than the jar, so no build
        Files.createDirectories(dir.resolve("bin"));
        Files.copy(repo.resolve("bin/start"), dir.resolve("bin/start"));
        Files.copy(repo.resolve("bin/jdk.sh"), dir.resolve("bin/jdk.sh"));
        dir.resolve("bin/start").toFile().setExecutable(true);
        Files.createDirectories(dir.resolve("target"));
        Files.createSymbolicLink(dir.resolve("target/gatehouse.jar"), GatehouseJar.jarPath().toAbsolutePath());
        Files.createDirectories(dir.resolve("src"));
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
        Files.writeString(dir.resolve("pom.xml"), "<!-- not built here -->\n");
        Files.setLastModifiedTime(dir.resolve("pom.xml"), old);
        Files.setLastModifiedTime(dir.resolve("src"), old);

        // an npm project with server-everything installed: npx finds it there instead of downloading
        Files.writeString(dir.resolve("package.json"), """
                {"name": "quick-start", "private": true,
                 "dependencies": {"@modelcontextprotocol/server-everything": "*", "@modelcontextprotocol/sdk": "*",
                                  "@modelcontextprotocol/client": "*", "@modelcontextprotocol/inspector": "*"}}
                """);
        Files.createSymbolicLink(dir.resolve("node_modules"), peers.modules().toAbsolutePath());

        String block = readmeBlock().replace("localhost:8080", "localhost:" + port);
        assertThat(block).contains("bin/start").contains("localhost:" + port).doesNotContain("8080");
        String script = "cd " + dir + "\n"
                + block + "\necho \"PASTE-1-EXIT=$?\"\necho \"STARTED-PID=${!:-}\"\n"
                + block + "\necho \"PASTE-2-EXIT=$?\"\n"
                + "echo \"ADMIN-TOKEN=$GATEHOUSE_ADMIN_TOKEN\"\n";
        Files.writeString(dir.resolve("pasted.sh"), script);

        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_PORT", Integer.toString(port));
        env.put("GATEHOUSE_DATA_DIR", dir.resolve("data").toString());
        env.put("GATEHOUSE_STDIO_WORKROOT", dir.resolve("stdio").toString());
        env.put("GATEHOUSE_STDIO_INHERITENV", "npm_config_offline");
        env.put("npm_config_offline", "true");
        ProcessBuilder pb = new ProcessBuilder("bash", dir.resolve("pasted.sh").toString()).directory(dir.toFile())
                .redirectOutput(dir.resolve("pasted.out").toFile()).redirectError(dir.resolve("pasted.err").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_") || k.startsWith("OTEL_"));
        pb.environment().putAll(env);
        Process bash = pb.start();
        try {
            if (!bash.waitFor(BLOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                bash.descendants().forEach(ProcessHandle::destroy);
                bash.destroyForcibly();
                throw new AssertionError("the pasted block did not finish within " + BLOCK_TIMEOUT + ":\n" + read("pasted.out")
                        + read("pasted.err"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        pasted = new NodePeers.Run(bash.exitValue(), read("pasted.out"), read("pasted.err"), Duration.ZERO);
        started = find("STARTED-PID").filter(s -> !s.isEmpty()).flatMap(pid -> ProcessHandle.of(Long.parseLong(pid))).orElse(null);
        adminToken = find("ADMIN-TOKEN").orElse("");
    }

    /** Stops the server the block started, as a service manager would (SIGTERM, then wait). */
    @AfterAll
    static void stopWhatTheBlockStarted() {
        if (started == null || !started.isAlive()) {
            return;
        }
        List<ProcessHandle> children = started.descendants().toList();
        started.destroy();
        try {
            started.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            started.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void theBlockRunsToTheEndTwiceAndTheSecondPasteCreatesNoDuplicates() {
        assertThat(find("PASTE-1-EXIT")).as("first paste:\n%s", pasted).contains("0");
        assertThat(find("PASTE-2-EXIT")).as("second paste:\n%s", pasted).contains("0");
        assertThat(started).as("the block started Gatehouse with bin/start:\n%s", pasted).isNotNull();
        assertThat(adminToken).as("a generated admin token of 32+ characters").hasSizeGreaterThanOrEqualTo(32);

        AdminClient api = new AdminClient("http://localhost:" + port, adminToken);
        assertThat(api.expect(200, "GET", "/servers", null).valueStream().filter(s -> s.path("name").asString().equals("everything")))
                .hasSize(1);
        assertThat(api.expect(200, "GET", "/gateways", null).valueStream().filter(g -> g.path("name").asString().equals("dev")))
                .hasSize(1);
        assertThat(api.expect(200, "GET", "/hosts", null).valueStream().filter(h -> h.path("name").asString().equals("my-agent")))
                .hasSize(1);
        List<JsonNode> connections = connections();
        assertThat(connections).as("each paste prints one new connection").hasSize(2);
        for (JsonNode c : connections) {
            assertThat(c.path("url").asString()).startsWith("http://localhost:" + port + "/gateway/v1/mcp?gateway=gw_");
            assertThat(c.path("token").asString()).startsWith("gh_");
        }

        // the first start's one-time secrets, once, after start-up, with the URLs where they are used
        String log = read("gatehouse.log");
        assertThat(log.split("password: ", -1)).as("the sign-in password is shown once:\n%s", log).hasSize(2);
        assertThat(log).contains("http://localhost:" + port + "/login").contains("http://localhost:" + port + "/api/v1");
        assertThat(log.indexOf("password: ")).as("after the configuration and migrations ran")
                .isGreaterThan(log.indexOf("Successfully applied"));
        assertThat(log).as("the block set GATEHOUSE_ADMIN_TOKEN, so no token is generated").doesNotContain("Admin API token");
        assertThat(log.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")))
                .as("no start-up warning an operator cannot act on").isEmpty();
    }

    @Test
    void theDocumentedSdkClientsListTheGatewaysToolsThroughTheBlocksConnection() throws IOException {
        JsonNode connection = connections().getLast();
        Map<String, String> env = Map.of("GATEWAY_URL", connection.path("url").asString(), "TOKEN", connection.path("token").asString());
        for (String heading : List.of("## TypeScript SDK\n", "## TypeScript SDK v2 (protocol 2026-07-28)\n")) {
            String snippet = docBlock(read(repo.resolve("docs/clients.md")), heading, "```js\n");
            String name = heading.contains("v2") ? "sdk-v2" : "sdk-v1";
            // the snippet uses GATEWAY_URL and TOKEN as given names; it leaves the process running, so end it
            Path file = Files.writeString(dir.resolve(name + ".mjs"), "const GATEWAY_URL = process.env.GATEWAY_URL;\n"
                    + "const TOKEN = process.env.TOKEN;\n" + snippet + "\nprocess.exit(0);\n");
            NodePeers.Run run = peers.run(name, List.of(peers.node(), file.toString()), dir, env, dir.resolve("logs"),
                    Duration.ofMinutes(2));
            assertThat(run.exitCode()).as("%s:\n%s", name, run).isZero();
            assertThat(run.stdout()).as("%s lists server-everything's tools with the block's prefix:\n%s", name, run)
                    .contains("ev__echo").contains("ev__get-sum");
        }
    }

    /**
     * The inspector command of docs/clients.md, run as written in bash, except that the package is the
     * installed one (a test sends no traffic to the registry: "@latest" dropped, npm offline) and
     * node is Node 22 (the inspector needs 22.19 or later, as the page says).
     */
    @Test
    void theDocumentedInspectorCommandListsTheGatewaysToolsThroughTheBlocksConnection() throws IOException {
        JsonNode connection = connections().getLast();
        String command = docBlock(read(repo.resolve("docs/clients.md")), "## MCP inspector (CLI)\n", "```bash\n");
        assertThat(command).contains("npx -y @modelcontextprotocol/inspector@latest --cli");
        Path script = Files.writeString(dir.resolve("inspector.sh"), command.replace("@modelcontextprotocol/inspector@latest",
                "@modelcontextprotocol/inspector"));
        Map<String, String> env = new HashMap<>();
        env.put("GATEWAY_URL", connection.path("url").asString());
        env.put("TOKEN", connection.path("token").asString());
        env.put("npm_config_offline", "true");
        env.put("PATH", Path.of(peers.node22()).getParent() + java.io.File.pathSeparator + System.getenv("PATH"));
        NodePeers.Run run = peers.run("inspector-cli", List.of("bash", script.toString()), dir, env, dir.resolve("logs"),
                Duration.ofMinutes(2));
        assertThat(run.exitCode()).as("the documented inspector command:\n%s", run).isZero();
        JsonNode tools = E2eJson.parse(run.stdout()).path("tools");
        assertThat(E2eJson.list(tools).stream().map(t -> t.path("name").asString()).toList())
                .as("server-everything's tools under the block's prefix:\n%s", run).contains("ev__echo", "ev__get-sum");
    }

    // --- helpers

    /** The connections the block printed, in order: the JSON lines that carry a token. */
    private static List<JsonNode> connections() {
        return pasted.stdout().lines().filter(l -> l.startsWith("{") && l.contains("\"token\"")).map(E2eJson::parse).toList();
    }

    private static String readmeBlock() {
        return docBlock(read(repo.resolve("README.md")), "## Five minutes with Gatehouse", "```bash\n");
    }

    /** The first fenced block of the given kind after the heading, without its fences. */
    static String docBlock(String doc, String heading, String fence) {
        int at = doc.indexOf(heading);
        assertThat(at).as("heading '%s' in the document", heading.strip()).isNotNegative();
        int start = doc.indexOf(fence, at) + fence.length();
        int end = doc.indexOf("\n```", start);
        assertThat(start).isGreaterThan(fence.length() - 1);
        return doc.substring(start, end + 1);
    }

    private static Optional<String> find(String key) {
        Matcher m = Pattern.compile("^" + key + "=(.*)$", Pattern.MULTILINE).matcher(pasted.stdout());
        String last = null;
        while (m.find()) {
            last = m.group(1).strip();
        }
        return Optional.ofNullable(last);
    }

    private static String read(String name) {
        return read(dir.resolve(name));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
