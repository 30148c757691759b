package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Interactive connections end to end: the packaged jar, a person's account and team, and two
 * independent OAuth clients that know nothing of Gatehouse: the TypeScript SDK's OAuth client
 * (oauth-client.mjs: discovery, dynamic registration, PKCE, resource, refresh) and mcp-remote with
 * its {@code $BROWSER} pointed at oauth-browser.mjs, a scripted person who signs in and approves.
 */
class InteractiveConnectionE2ETest {
    private static final String USER = "dana";
    private static final String PASSWORD = "dana-password-1";

    private static NodePeers peers;
    private static Path dir;
    private static GatehouseJar gatehouse;
    private static String gatewayId;
    private static String userId;

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("InteractiveConnectionE2ETest");
        gatehouse = GatehouseJar.start(dir);
        String server = gatehouse.createStdioServer("everything", List.of(peers.node(), peers.everything().toString(), "stdio"));
        gatewayId = gatehouse.createGateway("interactive");
        gatehouse.assign(gatewayId, server, "ev");
        userId = gatehouse.admin().person(USER, PASSWORD, "dana@example.com", gatewayId).userId();
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    private String mcpUrl() {
        return gatehouse.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId;
    }

    @Test
    void theSdkOAuthClientConnectsRefreshesAndCallsATool() {
        NodePeers.Run run = peers.run("oauth-client", List.of(peers.node(), peers.dir().resolve("oauth-client.mjs").toString(),
                        "--url", mcpUrl(), "--username", USER, "--password", PASSWORD, "--refresh",
                        "[{\"op\":\"listTools\"},{\"op\":\"callTool\",\"name\":\"ev__echo\",\"args\":{\"message\":\"via oauth\"}}]"),
                peers.dir(), Map.of(), dir, Duration.ofSeconds(120));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = run.report();
        assertThat(report.path("tokenClaims").path("aud").toString()).contains("gateway=" + gatewayId);
        assertThat(report.path("steps").get(0).path("result").path("tools").toString()).contains("ev__echo");
        assertThat(report.path("steps").get(1).path("result").toString()).contains("Echo: via oauth");
        assertThat(report.path("refresh").path("refreshTokenRotated").asBoolean()).isTrue();
        assertThat(report.path("refresh").path("reuseStatus").asInt()).isEqualTo(400);
        String cid = report.path("tokenClaims").path("cid").asString();
        JsonNode conn = gatehouse.expect(200, "GET", "/connections/" + cid, null);
        assertThat(conn.path("userId").asString()).isEqualTo(userId);
        assertThat(conn.path("gatewayId").asString()).isEqualTo(gatewayId);
    }

    @Test
    void mcpRemoteCompletesTheFlowThroughItsBrowser() throws Exception {
        Path browser = dir.resolve("browser.sh");
        Files.writeString(browser, "#!/bin/sh\nexec '" + peers.node() + "' '" + peers.dir().resolve("oauth-browser.mjs") + "' \"$@\"\n");
        Files.setPosixFilePermissions(browser, PosixFilePermissions.fromString("rwx------"));
        Path browserLog = dir.resolve("browser.jsonl");
        int callbackPort = GatehouseJar.freePort();
        ProcessBuilder pb = new ProcessBuilder(peers.node(), peers.modules().resolve("mcp-remote/dist/proxy.js").toString(), mcpUrl(),
                Integer.toString(callbackPort), "--allow-http")
                .directory(dir.toFile()).redirectError(dir.resolve("mcp-remote.err").toFile());
        pb.environment().putAll(Map.of("BROWSER", browser.toString(), "MCP_REMOTE_CONFIG_DIR", dir.resolve("mcp-remote-config").toString(),
                "GATEHOUSE_LOGIN_USER", USER, "GATEHOUSE_LOGIN_PASSWORD", PASSWORD, "GATEHOUSE_LOGIN_LOG", browserLog.toString()));
        Process p = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        try (OutputStream in = p.getOutputStream()) {
            send(in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"e2e\",\"version\":\"1\"}}}");
            JsonNode init = await(lines, 1, Duration.ofSeconds(90), p);
            assertThat(init.path("result").path("serverInfo").path("name").asString()).isEqualTo("gatehouse");
            send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
            JsonNode tools = await(lines, 2, Duration.ofSeconds(60), p);
            assertThat(tools.path("result").path("tools").toString()).contains("ev__echo");
        } finally {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        List<String> browserRuns = Files.readAllLines(browserLog);
        assertThat(browserRuns).as("the scripted browser was opened").isNotEmpty();
        assertThat(browserRuns.getLast()).contains("\"code\":").contains("\"callbackStatus\":200");
    }

    private static void send(OutputStream in, String json) throws IOException {
        in.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static JsonNode await(BlockingQueue<String> lines, int id, Duration timeout, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(500, TimeUnit.MILLISECONDS);
            if (line == null) {
                if (!p.isAlive()) {
                    break;
                }
                continue;
            }
            seen.add(line);
            if (line.startsWith("{")) {
                JsonNode n = E2eJson.parse(line);
                if (n.path("id").asInt(-1) == id) {
                    return n;
                }
            }
        }
        throw new AssertionError("no answer to request " + id + " from mcp-remote; stdout: " + seen + "; alive=" + p.isAlive());
    }
}
