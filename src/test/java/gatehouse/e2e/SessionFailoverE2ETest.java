package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import gatehouse.bench.FastUpstream;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import tools.jackson.databind.JsonNode;

/**
 * A protocol 2025 client whose replica is killed mid-session carries on through the other one:
 * two Gatehouse replicas on one real PostgreSQL behind a real HAProxy that hashes on
 * {@code Mcp-Session-Id} (as docs/deployment.md advises), a real SDK v1 client, a Streamable HTTP
 * upstream that keeps sessions. The replica serving the session gets SIGKILL (no shutdown hook,
 * nothing written at exit); the client's next calls, on the same session and without a new
 * initialize, are answered by the other replica, which carries on the upstream session by its id,
 * and the GET stream the client re-opens there delivers a list change.
 */
class SessionFailoverE2ETest {
    private static HttpServer upstream;
    /** The upstream session id each echoed text arrived with. */
    private static final Map<String, String> upstreamSessionOf = new ConcurrentHashMap<>();
    private static final Set<String> upstreamInitializes = ConcurrentHashMap.newKeySet();
    private static BalancedReplicas replicas;
    private static GatehouseJar a;
    private static GatehouseJar b;
    private static String balancer;
    private static String db;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        NodePeers.fromEnvironment();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        upstream.createContext("/mcp", recording(FastUpstream.handlerFor(false, "sessions")));
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.start();
        // Hash on the session header (initialize has none: round robin), health-checked, and a
        // request that finds its replica dead is re-sent to the other ("redispatch").
        replicas = BalancedReplicas.start("session-failover", """
                timeout client 120s
                timeout server 120s
                retries 3
                option redispatch 1
                """, """
                balance hdr(Mcp-Session-Id)
                hash-type consistent
                option httpchk GET /livez
                http-response set-header X-Served-By %[srv_name]
                """, "check inter 1s fall 2 rise 1");
        a = replicas.a();
        b = replicas.b();
        balancer = replicas.balancer();
        db = replicas.db();
        dir = replicas.dir();
    }

    /** The fast upstream, noting which of its sessions each echo arrived on, and the SDK client's initializes. */
    private static HttpHandler recording(HttpHandler inner) {
        return ex -> {
            if ("POST".equals(ex.getRequestMethod())) {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                JsonNode msg = Json.MAPPER.readTree(body);
                String method = msg.path("method").asString("");
                if (method.equals("initialize") && ex.getRequestURI().getQuery() == null
                        && "gatehouse-sdk-peer".equals(msg.path("params").path("clientInfo").path("name").asString())) {
                    // The SDK client's session with the first server (the second is reached with ?second).
                    upstreamInitializes.add(msg.path("id").toString() + "@" + System.nanoTime());
                }
                String text = msg.path("params").path("arguments").path("text").asString("");
                if (method.equals("tools/call") && !text.isEmpty()) {
                    upstreamSessionOf.put(text, String.valueOf(ex.getRequestHeaders().getFirst("Mcp-Session-Id")));
                }
                ex.setStreams(new ByteArrayInputStream(body), null);
            }
            inner.handle(ex);
        };
    }

    @AfterAll
    static void stop() throws Exception {
        if (replicas != null) {
            replicas.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void aSessionClientCarriesOnThroughTheOtherReplicaWhenItsReplicaIsKilled() throws Exception {
        AdminClient admin = new AdminClient(balancer, GatehouseJar.ADMIN_TOKEN);
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp";
        String server = admin.createHttpServer("failover-upstream", "streamable-http", url);
        String gateway = admin.createGateway("failover");
        admin.assign(gateway, server, "f");
        AdminClient.Connection c = admin.connect(gateway);
        for (GatehouseJar replica : List.of(a, b)) {
            Awaitility.await("the connection is live on " + replica.baseUrl()).atMost(Duration.ofSeconds(60)).until(() -> {
                try (gatehouse.testing.McpTestClient probe = new gatehouse.testing.McpTestClient(
                        java.net.URI.create(replica.baseUrl() + "/gateway/v1/mcp?gateway=" + gateway), c.token())) {
                    boolean live = probe.initialize(gatehouse.testing.McpTestClient.capabilities()).status() == 200;
                    if (live) {
                        probe.delete();
                    }
                    return live;
                }
            });
        }

        NodePeers peers = NodePeers.fromEnvironment();
        Path ready = dir.resolve("ready");
        Path go = dir.resolve("go");
        Files.deleteIfExists(ready);
        Files.deleteIfExists(go);
        String steps = "[{\"op\":\"callTool\",\"name\":\"f__echo\",\"args\":{\"text\":\"before\"}},"
                + "{\"op\":\"signal\",\"file\":\"" + ready + "\"},"
                + "{\"op\":\"waitFile\",\"file\":\"" + go + "\",\"timeoutMs\":180000},"
                + "{\"op\":\"callTool\",\"name\":\"f__echo\",\"args\":{\"text\":\"after-1\"},\"label\":\"first after the kill\"},"
                + "{\"op\":\"callTool\",\"name\":\"f__echo\",\"args\":{\"text\":\"after-2\"}},"
                + "{\"op\":\"listTools\"},"
                + "{\"op\":\"waitNotification\",\"method\":\"notifications/tools/list_changed\",\"timeoutMs\":120000}]";
        NodePeers.Background client = peers.startSdkClient("failover-2025", balancer + "/gateway/v1/mcp?gateway=" + gateway, c.token(),
                steps, dir);
        Awaitility.await("the client made its first call").atMost(Duration.ofSeconds(120)).until(() -> Files.exists(ready) || !client.isAlive());
        assertThat(client.isAlive()).as("the client is waiting for the kill").isTrue();
        JsonNode before = Json.MAPPER.readTree(Files.readString(ready));
        String servedBy = null;
        String sessionId = null;
        for (JsonNode h : before.path("httpLog")) {
            if ("tools/call".equals(h.path("rpc").asString())) {
                servedBy = h.path("servedBy").asString();
                sessionId = h.path("sessionId").asString(null);
            }
        }
        assertThat(servedBy).as("the balancer names the replica: %s", before).isIn("a", "b");
        assertThat(sessionId).as("the session id: %s", before).isNotBlank();
        // Stored under the SHA-256 of the id, never the id itself.
        String sessionKey = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(sessionId.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        GatehouseJar serving = servedBy.equals("a") ? a : b;
        GatehouseJar survivor = serving == a ? b : a;

        // The session and its upstream session are in the database before the kill (written off the request path).
        Awaitility.await("the session is stored with its upstream session").atMost(Duration.ofSeconds(60))
                .until(() -> storedUpstreams(sessionKey) == 1);
        assertThat(upstreamInitializes).as("the client's one upstream session").hasSize(1);

        serving.handle().destroyForcibly();
        Awaitility.await("the serving replica is gone").atMost(Duration.ofSeconds(30)).until(() -> !serving.handle().isAlive());
        Files.writeString(go, "go");

        // Once the client's later calls went through the survivor, a change of the gateway's view
        // reaches the client on the GET stream it re-opened there.
        Awaitility.await("the calls after the kill were made").atMost(Duration.ofSeconds(120))
                .until(() -> upstreamSessionOf.containsKey("after-2") || !client.isAlive());
        String second = survivor.admin().createHttpServer("failover-second", "streamable-http", url + "?second");
        survivor.admin().assign(gateway, second, "g");

        NodePeers.Run run = client.await(Duration.ofSeconds(240));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = run.report();
        assertThat(report.path("steps").get(3).path("result").toString()).as(run.toString()).contains("after-1");
        assertThat(report.path("steps").get(4).path("result").toString()).as(run.toString()).contains("after-2");
        assertThat(report.path("steps").get(6).path("ok").asBoolean()).as(run.toString()).isTrue();

        List<String> initializes = new ArrayList<>();
        List<String> afterKill = new ArrayList<>();
        boolean killed = false;
        for (JsonNode h : report.path("httpLog")) {
            if ("initialize".equals(h.path("rpc").asString())) {
                initializes.add(h.toString());
            }
            if ("tools/call".equals(h.path("rpc").asString()) && h.path("status").asInt() == 200 && killed) {
                afterKill.add(h.path("servedBy").asString());
                assertThat(h.path("sessionId").asString(null)).as("the same session: %s", h).isEqualTo(sessionId);
            }
            killed |= "tools/call".equals(h.path("rpc").asString());
        }
        assertThat(initializes).as("the client initialized once: %s", report.path("httpLog")).hasSize(1);
        assertThat(afterKill).as("the survivor answered the calls after the kill").containsOnly(servedBy.equals("a") ? "b" : "a").hasSize(2);
        assertThat(report.path("httpLog").toString()).as("no request was answered 404 (session unknown)").doesNotContain("\"status\":404");
        // The survivor carried on the upstream session by its id: no new handshake with the upstream.
        assertThat(upstreamSessionOf.get("after-1")).isEqualTo(upstreamSessionOf.get("before"));
        assertThat(upstreamSessionOf.get("after-2")).isEqualTo(upstreamSessionOf.get("before"));
        assertThat(upstreamInitializes).as("no new initialize at the upstream for this session").hasSize(1);
    }

    @Test
    void anotherConnectionsTokenCannotTakeOverAStoredSessionAndAnEndedOneIsRemoved() throws Exception {
        GatehouseJar live = a.handle().isAlive() ? a : b;
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp";
        String server = live.admin().createHttpServer("bound-upstream", "streamable-http", url);
        String gateway = live.admin().createGateway("bound");
        live.admin().assign(gateway, server, "b");
        AdminClient.Connection owner = live.admin().connect(gateway);
        AdminClient.Connection other = live.admin().connect(gateway);
        gatehouse.testing.McpTestClient first = new gatehouse.testing.McpTestClient(
                java.net.URI.create(live.baseUrl() + "/gateway/v1/mcp?gateway=" + gateway), owner.token());
        assertThat(first.initialize(gatehouse.testing.McpTestClient.capabilities()).status()).isEqualTo(200);
        String sid = first.sessionId();
        Awaitility.await("the session is stored").atMost(Duration.ofSeconds(60)).until(() -> storedSessions() >= 1);
        try (gatehouse.testing.McpTestClient thief = new gatehouse.testing.McpTestClient(
                java.net.URI.create(live.baseUrl() + "/gateway/v1/mcp?gateway=" + gateway), other.token())) {
            thief.sessionId(sid);
            assertThat(thief.send(ping(), Map.of()).status()).as("another connection's token: as if the session did not exist").isEqualTo(404);
        }
        int stored = storedSessions();
        assertThat(first.delete().status()).isEqualTo(204);
        first.close();
        Awaitility.await("the ended session is removed from the database").atMost(Duration.ofSeconds(60))
                .until(() -> storedSessions() == stored - 1);
    }

    private static tools.jackson.databind.node.ObjectNode ping() {
        tools.jackson.databind.node.ObjectNode msg = Json.object();
        msg.put("jsonrpc", "2.0");
        msg.put("id", 7);
        msg.put("method", "ping");
        return msg;
    }

    /** How many upstream sessions the stored session holds (-1: not stored); also checks the id itself is nowhere in the row. */
    private static int storedUpstreams(String key) throws Exception {
        try (var conn = DriverManager.getConnection(db, "postgres", "");
             var st = conn.prepareStatement("SELECT upstream_count, state FROM mcp_sessions WHERE id_hash = ?")) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return -1;
                }
                assertThat(rs.getString(2)).as("the state is sealed").startsWith("v2:");
                return rs.getInt(1);
            }
        }
    }

    private static int storedSessions() throws Exception {
        try (var conn = DriverManager.getConnection(db, "postgres", ""); var st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM mcp_sessions")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
