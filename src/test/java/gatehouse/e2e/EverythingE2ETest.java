package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;
import tools.jackson.databind.JsonNode;

/**
 * The packaged jar in front of two real server-everything processes, one over stdio (started and
 * supervised by Gatehouse) and one over Streamable HTTP (started by this test), both in one gateway
 * under different prefixes, driven by independent clients: the TypeScript SDK (sdk-client.mjs) and
 * the MCP inspector CLI.
 */
class EverythingE2ETest {
    private static final String STDIO = "evs";
    private static final String HTTP = "evh";

    private static NodePeers peers;
    private static Path dir;
    private static EverythingHttpServer httpUpstream;
    private static GatehouseJar gatehouse;
    private static String stdioServerId;
    private static String httpServerId;
    private static String gatewayId;
    private static AdminClient.Connection connection;

    @BeforeAll
    static void startEverything() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("EverythingE2ETest");
        httpUpstream = new EverythingHttpServer(peers, GatehouseJar.freePort(), dir);
        Thread upstreamStart = Thread.ofVirtual().start(httpUpstream::start);
        gatehouse = GatehouseJar.start(dir);
        try {
            upstreamStart.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        stdioServerId = gatehouse.createStdioServer("everything-stdio",
                List.of(peers.node(), peers.everything().toString(), "stdio"));
        httpServerId = gatehouse.createHttpServer("everything-http", httpUpstream.url());
        gatewayId = gatehouse.createGateway("everything");
        gatehouse.assign(gatewayId, stdioServerId, STDIO);
        gatehouse.assign(gatewayId, httpServerId, HTTP);
        connection = gatehouse.connect(gatewayId, "e2e-everything");
    }

    /**
     * Stops the jar while a client is still connected (its GET stream open): neither that stream nor
     * the supervised stdio child may hold up or outlive the shutdown.
     */
    @AfterAll
    static void stopEverything() throws Exception {
        if (httpUpstream != null) {
            httpUpstream.close();
        }
        if (gatehouse == null) {
            return;
        }
        Path connected = Files.createDirectories(dir.resolve("sync")).resolve("connected-at-shutdown");
        NodePeers.Background listening = peers.startSdkClient("connected-at-shutdown", connection.url(), connection.token(),
                steps(step("listTools"), signal(connected), waitFile(dir.resolve("sync/never"))), dir);
        try {
            awaitFile(connected, listening);
            gatehouse.close();
        } finally {
            listening.kill();
        }
        assertThat(gatehouse.exitedOnSigterm()).as("the jar exited on SIGTERM with a client connected, without SIGKILL").isTrue();
        assertThat(gatehouse.childrenLeftBehind()).as("stdio servers still running after the jar exited").isEmpty();
    }

    @Test
    void toolListMergesBothUpstreamsUnderTheirPrefixes() {
        JsonNode report = sdk("list-tools", steps(step("listTools")));

        List<String> names = E2eJson.list(report.path("steps").get(0).path("result").path("tools")).stream()
                .map(t -> t.path("name").asString()).toList();
        Set<String> viaStdio = unprefixed(names, STDIO);
        Set<String> viaHttp = unprefixed(names, HTTP);
        assertThat(names).allMatch(n -> n.startsWith(STDIO + "__") || n.startsWith(HTTP + "__"), "every name carries a prefix");
        // server-everything registers some tools only for clients that declared sampling, elicitation
        // and roots. The shared stdio process is initialized with Gatehouse's own capabilities (form
        // elicitation only); the HTTP session carries this client's, URL-mode elicitation included.
        assertThat(viaStdio).contains("echo", "get-sum", "trigger-long-running-operation", "trigger-sampling-request",
                "trigger-elicitation-request", "get-roots-list").hasSize(16);
        assertThat(viaHttp).containsAll(viaStdio).contains("trigger-url-elicitation").hasSize(17);
        assertThat(report.path("serverInfo").path("name").asString()).isEqualTo("gatehouse");
    }

    @Test
    void callsReachTheUpstreamTheirPrefixNamesAndAreLogged() {
        // Its own connection, so its log records are exactly its own calls, whatever ran before.
        AdminClient.Connection own = gatehouse.connect(gatewayId, "e2e-calls");
        JsonNode report = sdk("calls", own, steps(
                call(STDIO + "__echo", Map.of("message", "to stdio")),
                call(HTTP + "__echo", Map.of("message", "to http")),
                call(HTTP + "__get-sum", Map.of("a", 2, "b", 3)),
                expectError(call(HTTP + "__nope", Map.of())),
                expectError(call("zz__echo", Map.of("message", "nobody")))));

        assertThat(text(report, 0)).isEqualTo("Echo: to stdio");
        assertThat(text(report, 1)).isEqualTo("Echo: to http");
        assertThat(text(report, 2)).isEqualTo("The sum of 2 and 3 is 5.");
        // A missing tool under a known prefix answers exactly like a tool of no server at all.
        assertThat(stepError(report, 3)).contains("Unknown tool: " + HTTP + "__nope");
        assertThat(stepError(report, 4)).contains("Unknown tool: zz__echo");

        // Log records are written off the request path: wait for the five calls, then check each exactly.
        List<JsonNode> calls = awaitLogs(own, records -> records.stream().filter(r -> "tools/call".equals(r.path("method").asString()))
                .count() >= 5).stream().filter(r -> "tools/call".equals(r.path("method").asString())).toList();
        assertThat(calls).hasSize(5);
        assertThat(calls).filteredOn(r -> r.path("tool").asString().equals(STDIO + "__echo")).singleElement()
                .satisfies(r -> assertLog(r, STDIO + "__echo", stdioServerId, "ok"));
        assertThat(calls).filteredOn(r -> r.path("tool").asString().equals(HTTP + "__echo")).singleElement()
                .satisfies(r -> assertLog(r, HTTP + "__echo", httpServerId, "ok"));
        assertThat(calls).filteredOn(r -> r.path("tool").asString().equals(HTTP + "__get-sum")).singleElement()
                .satisfies(r -> assertLog(r, HTTP + "__get-sum", httpServerId, "ok"));
        assertThat(calls).filteredOn(r -> r.path("tool").asString().equals(HTTP + "__nope")).singleElement()
                .satisfies(r -> assertLog(r, HTTP + "__nope", null, "error"));
        assertThat(calls).filteredOn(r -> r.path("tool").asString().equals("zz__echo")).singleElement().satisfies(r -> {
            assertLog(r, "zz__echo", null, "error");
            assertThat(r.path("errorMessage").asString()).contains("Unknown tool");
        });
        assertThat(calls).allSatisfy(r -> {
            assertThat(r.path("connectionId").asString()).isEqualTo(own.id());
            assertThat(r.path("durationMs").asDouble()).as("a call takes time").isPositive();
            assertThat(Instant.parse(r.path("time").asString())).isBefore(Instant.now());
        });
    }

    @Test
    void samplingAndElicitationAreRelayedToTheClientFromBothUpstreams() {
        JsonNode report = sdk("sampling-elicitation", steps(
                call(STDIO + "__trigger-sampling-request", Map.of("prompt", "stdio asks", "maxTokens", 20)),
                call(HTTP + "__trigger-sampling-request", Map.of("prompt", "http asks", "maxTokens", 20)),
                call(STDIO + "__trigger-elicitation-request", Map.of()),
                call(HTTP + "__trigger-elicitation-request", Map.of())),
                "--sample-text", "e2e-sampled-text", "--elicit-content", "{\"name\":\"e2e-elicited-name\"}");

        assertThat(text(report, 0)).contains("LLM sampling result", "e2e-sampled-text");
        assertThat(text(report, 1)).contains("LLM sampling result", "e2e-sampled-text");
        assertThat(allText(report, 2)).contains("User provided the requested information", "e2e-elicited-name");
        assertThat(allText(report, 3)).contains("User provided the requested information", "e2e-elicited-name");

        List<JsonNode> asked = E2eJson.list(report.path("serverRequests"));
        assertThat(asked).filteredOn(r -> r.path("method").asString().equals("sampling/createMessage"))
                .extracting(r -> r.path("params").toString())
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("stdio asks"))
                .anySatisfy(p -> assertThat(p).contains("http asks"));
        assertThat(asked).filteredOn(r -> r.path("method").asString().equals("elicitation/create")).hasSize(2);
    }

    @Test
    void progressNotificationsReachTheClientFromBothUpstreams() {
        JsonNode report = sdk("progress", steps(
                call(STDIO + "__trigger-long-running-operation", Map.of("duration", 1, "steps", 3)),
                call(HTTP + "__trigger-long-running-operation", Map.of("duration", 1, "steps", 3))));

        for (int i = 0; i < 2; i++) {
            JsonNode step = report.path("steps").get(i);
            assertThat(text(report, i)).contains("Long running operation completed");
            List<JsonNode> progress = E2eJson.list(step.path("progress"));
            assertThat(progress).as("progress of step %d", i).hasSize(3);
            assertThat(progress).extracting(p -> p.path("progress").asDouble()).containsExactly(1.0, 2.0, 3.0);
            assertThat(progress.getLast().path("total").asDouble()).isEqualTo(3.0);
        }
    }

    @Test
    void resourcesAndPromptsAreListedReadAndRouted() {
        JsonNode report = sdk("resources-prompts", steps(
                step("listResources"),
                step("listResourceTemplates"),
                Map.of("op", "readResource", "uri", "demo://resource/static/document/architecture.md"),
                Map.of("op", "readResource", "uri", "demo://resource/dynamic/text/7"),
                step("listPrompts"),
                Map.of("op", "getPrompt", "name", STDIO + "__simple-prompt", "args", Map.of()),
                Map.of("op", "getPrompt", "name", HTTP + "__args-prompt", "args", Map.of("city", "Lisbon"))));

        assertThat(E2eJson.list(stepResult(report, 0).path("resources"))).extracting(r -> r.path("uri").asString())
                .contains("demo://resource/static/document/architecture.md");
        assertThat(E2eJson.list(stepResult(report, 1).path("resourceTemplates"))).extracting(r -> r.path("uriTemplate").asString())
                .contains("demo://resource/dynamic/text/{resourceId}");
        JsonNode doc = stepResult(report, 2).path("contents").get(0);
        assertThat(doc.path("uri").asString()).isEqualTo("demo://resource/static/document/architecture.md");
        assertThat(doc.path("text").asString()).isNotBlank();
        assertThat(stepResult(report, 3).path("contents").get(0).path("text").asString()).contains("7");
        assertThat(E2eJson.list(stepResult(report, 4).path("prompts"))).extracting(p -> p.path("name").asString())
                .contains(STDIO + "__simple-prompt", HTTP + "__simple-prompt", HTTP + "__args-prompt");
        assertThat(stepResult(report, 5).path("messages").get(0).path("content").path("text").asString()).isNotBlank();
        assertThat(stepResult(report, 6).path("messages").toString()).contains("Lisbon");
    }

    @Test
    void inspectorCliListsAndCallsToolsWithTheBearerHeader() {
        // The inspector CLI finds its own package.json relative to the working directory.
        Path cwd = peers.modules().resolve("@modelcontextprotocol/inspector-cli/build");
        String auth = "Authorization: Bearer " + connection.token();
        NodePeers.Run list = peers.run("inspector-tools-list", List.of(peers.node(), "index.js", connection.url(),
                "--transport", "http", "--method", "tools/list", "--header", auth), cwd, Map.of(), dir, Duration.ofSeconds(60));
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(E2eJson.list(E2eJson.parse(list.stdout()).path("tools"))).extracting(t -> t.path("name").asString())
                .contains(STDIO + "__echo", HTTP + "__echo");

        NodePeers.Run call = peers.run("inspector-tools-call", List.of(peers.node(), "index.js", connection.url(),
                "--transport", "http", "--method", "tools/call", "--tool-name", HTTP + "__get-sum", "--tool-arg", "a=20", "b=22",
                "--header", auth), cwd, Map.of(), dir, Duration.ofSeconds(60));
        assertThat(call.exitCode()).as(call.toString()).isZero();
        assertThat(E2eJson.parse(call.stdout()).path("content").get(0).path("text").asString()).isEqualTo("The sum of 20 and 22 is 42.");

        NodePeers.Run refused = peers.run("inspector-no-token", List.of(peers.node(), "index.js", connection.url(),
                "--transport", "http", "--method", "tools/list"), cwd, Map.of(), dir, Duration.ofSeconds(60));
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
    }

    /**
     * One client session lives through both upstreams dying: the HTTP server is killed (calls to it
     * fail with a clear error, the stdio one keeps working) and started again on the same port (calls
     * work again, sampling included); then the stdio child is killed, Gatehouse restarts it, and calls
     * to it work again.
     */
    @Test
    void upstreamsKilledAndRestartedMidSession() throws Exception {
        Path sync = Files.createDirectories(dir.resolve("sync"));
        Path httpKillPoint = sync.resolve("ready-to-kill-http");
        Path httpKilled = sync.resolve("http-killed");
        Path httpRestartPoint = sync.resolve("ready-to-restart-http");
        Path httpRestarted = sync.resolve("http-restarted");
        Path stdioKillPoint = sync.resolve("ready-to-kill-stdio");
        Path stdioRestarted = sync.resolve("stdio-restarted");
        String steps = steps(
                call(HTTP + "__echo", Map.of("message", "before")),                               // 0
                call(STDIO + "__echo", Map.of("message", "before")),                              // 1
                signal(httpKillPoint), waitFile(httpKilled),                                      // 2, 3
                expectError(call(HTTP + "__echo", Map.of("message", "while down"))),              // 4
                call(STDIO + "__echo", Map.of("message", "while http is down")),                  // 5
                signal(httpRestartPoint), waitFile(httpRestarted),                                // 6, 7
                call(HTTP + "__echo", Map.of("message", "after restart")),                        // 8
                call(HTTP + "__trigger-sampling-request", Map.of("prompt", "after restart", "maxTokens", 5)), // 9
                signal(stdioKillPoint), waitFile(stdioRestarted),                                 // 10, 11
                retry(call(STDIO + "__echo", Map.of("message", "after stdio restart")), 20_000), // 12
                call(HTTP + "__echo", Map.of("message", "still there")));                        // 13

        NodePeers.Background peer = peers.startSdkClient("kill-restart", connection.url(), connection.token(), steps, dir);
        try {
            awaitFile(httpKillPoint, peer);
            httpUpstream.kill();
            Files.createFile(httpKilled);

            awaitFile(httpRestartPoint, peer);
            httpUpstream.start();
            Files.createFile(httpRestarted);

            awaitFile(stdioKillPoint, peer);
            ProcessHandle child = stdioChild();
            child.destroyForcibly();
            child.onExit().get();
            ProcessHandle restarted = awaitStdioChildOtherThan(child.pid());
            assertThat(restarted.pid()).isNotEqualTo(child.pid());
            Files.createFile(stdioRestarted);
        } catch (Exception | AssertionError e) {
            peer.kill();
            throw e;
        }

        NodePeers.Run run = peer.await(Duration.ofSeconds(90));
        JsonNode report = run.report();
        assertThat(run.exitCode()).as("every step as expected:\n%s", report.toPrettyString()).isZero();
        assertThat(text(report, 0)).isEqualTo("Echo: before");
        assertThat(stepError(report, 4)).as("a clear error while the HTTP upstream is down")
                .contains("everything-http").containsAnyOf("cannot reach", "unavailable");
        assertThat(text(report, 5)).isEqualTo("Echo: while http is down");
        assertThat(text(report, 8)).isEqualTo("Echo: after restart");
        assertThat(text(report, 9)).contains("sampled-by-peer");
        assertThat(text(report, 12)).isEqualTo("Echo: after stdio restart");
        assertThat(text(report, 13)).isEqualTo("Echo: still there");
        // All of it in one client session.
        Set<String> sessions = E2eJson.list(report.path("httpLog")).stream().map(e -> e.path("sessionId").asString(""))
                .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        assertThat(sessions).containsExactly(report.path("sessionId").asString());
        assertThat(gatehouse.logText()).contains("stdio server everything-stdio");
    }

    // --- helpers

    private static JsonNode sdk(String name, String steps, String... options) {
        return sdk(name, connection, steps, options);
    }

    private static JsonNode sdk(String name, AdminClient.Connection via, String steps, String... options) {
        NodePeers.Run run = peers.sdkClient(name, via.url(), via.token(), steps, dir, options);
        JsonNode report = run.report();
        assertThat(run.exitCode()).as("sdk-client %s: every step as expected:\n%s\nstderr:\n%s", name, report.toPrettyString(),
                run.stderr()).isZero();
        return report;
    }

    private static ProcessHandle stdioChild() {
        List<ProcessHandle> found = stdioChildren();
        assertThat(found).as("server-everything stdio child of the jar").hasSize(1);
        return found.getFirst();
    }

    private static List<ProcessHandle> stdioChildren() {
        return gatehouse.handle().descendants().filter(ProcessHandle::isAlive).filter(p -> {
            String[] args = p.info().arguments().orElse(new String[0]);
            return args.length > 0 && args[args.length - 1].equals("stdio") && String.join(" ", args).contains("server-everything");
        }).toList();
    }

    private static ProcessHandle awaitStdioChildOtherThan(long pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> now = stdioChildren().stream().filter(p -> p.pid() != pid).toList();
            if (!now.isEmpty()) {
                return now.getFirst();
            }
            GatehouseJar.sleep(50);
        }
        throw new AssertionError("Gatehouse did not restart the stdio server within 30 s:\n" + gatehouse.logTail(30));
    }

    private static void awaitFile(Path file, NodePeers.Background peer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(file)) {
            if (!peer.isAlive()) {
                throw new AssertionError("the peer ended before reaching " + file.getFileName() + ": " + peer.await(Duration.ofSeconds(1)));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the peer did not reach " + file.getFileName() + " within 60 s");
            }
            GatehouseJar.sleep(25);
        }
    }

    /** The connection's log records once {@code complete} holds for them. */
    private static List<JsonNode> awaitLogs(AdminClient.Connection via, Predicate<List<JsonNode>> complete) {
        return await().atMost(Duration.ofSeconds(30)).until(
                () -> List.<JsonNode>copyOf(gatehouse.admin().logs("connection=" + via.id() + "&limit=500")), complete);
    }

    private static void assertLog(JsonNode r, String tool, String serverId, String status) {
        assertThat(r.path("method").asString()).isEqualTo("tools/call");
        assertThat(r.path("tool").asString()).isEqualTo(tool);
        assertThat(r.path("gatewayId").asString()).isEqualTo(gatewayId);
        if (serverId == null) {
            assertThat(r.path("serverId").isNull() || r.path("serverId").isMissingNode()).as("no server for %s", tool).isTrue();
        } else {
            assertThat(r.path("serverId").asString()).isEqualTo(serverId);
        }
        assertThat(r.path("status").asString()).isEqualTo(status);
    }

    private static Set<String> unprefixed(List<String> names, String prefix) {
        return names.stream().filter(n -> n.startsWith(prefix + "__")).map(n -> n.substring(prefix.length() + 2))
                .collect(Collectors.toSet());
    }

    private static JsonNode stepResult(JsonNode report, int i) {
        JsonNode step = report.path("steps").get(i);
        assertThat(step.path("ok").asBoolean()).as("step %d: %s", i, step).isTrue();
        return step.path("result");
    }

    private static String stepError(JsonNode report, int i) {
        JsonNode step = report.path("steps").get(i);
        assertThat(step.path("ok").asBoolean()).as("step %d should have failed: %s", i, step).isFalse();
        return step.path("error").path("message").asString();
    }

    private static String text(JsonNode report, int i) {
        return stepResult(report, i).path("content").get(0).path("text").asString();
    }

    private static String allText(JsonNode report, int i) {
        return E2eJson.list(stepResult(report, i).path("content")).stream().map(c -> c.path("text").asString(""))
                .collect(Collectors.joining("\n"));
    }

    private static String steps(Map<?, ?>... steps) {
        return E2eJson.write(List.of(steps));
    }

    private static Map<String, Object> step(String op) {
        return Map.of("op", op);
    }

    private static Map<String, Object> call(String name, Map<String, Object> args) {
        return Map.of("op", "callTool", "name", name, "args", args);
    }

    private static Map<String, Object> signal(Path file) {
        return Map.of("op", "signal", "file", file.toString());
    }

    private static Map<String, Object> waitFile(Path file) {
        return Map.of("op", "waitFile", "file", file.toString(), "timeoutMs", 60_000);
    }

    private static Map<String, Object> expectError(Map<String, Object> step) {
        Map<String, Object> s = new LinkedHashMap<>(step);
        s.put("expectError", true);
        return s;
    }

    private static Map<String, Object> retry(Map<String, Object> step, int ms) {
        Map<String, Object> s = new LinkedHashMap<>(step);
        s.put("retryMs", ms);
        s.put("retryDelayMs", 250);
        return s;
    }
}
