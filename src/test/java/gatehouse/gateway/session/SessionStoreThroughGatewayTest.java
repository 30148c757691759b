package gatehouse.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.sun.net.httpserver.HttpServer;

import gatehouse.bench.FastUpstream;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient.Connection;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.node.ObjectNode;

/**
 * Protocol 2025 sessions kept in the (embedded) database, through the running gateway: after the
 * process lets go of every session (as at a restart, or when a client arrives at another replica),
 * the session's next request carries it on with the same upstream session; another connection's
 * token gets the 404 of a missing session; DELETE removes it for good. The database holds a hash of
 * the id, never the id.
 */
class SessionStoreThroughGatewayTest extends GatewayTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Autowired
    SessionRegistry registry;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    javax.sql.DataSource dataSource;

    private HttpServer upstream;
    /** The upstream session each echoed text arrived on. */
    private final Map<String, String> upstreamSessionOf = new ConcurrentHashMap<>();
    private String gateway;

    @BeforeAll
    void world() throws Exception {
        upstream = FastUpstream.startWithHook("stored", (ex, msg) -> {
            String text = msg.path("params").path("arguments").path("text").asString("");
            if (!text.isEmpty()) {
                upstreamSessionOf.put(text, String.valueOf(ex.getRequestHeaders().getFirst("Mcp-Session-Id")));
            }
            return false;
        });
        gateway = admin.createGateway(unique("stored-sessions"));
        admin.assign(gateway, admin.createHttpServer(unique("stored-upstream"), "streamable-http",
                "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp"), "st");
    }

    @AfterAll
    void stop() {
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    private static ObjectNode echo(String text) {
        return Json.object().put("text", text);
    }

    private int stored(String sessionId) {
        return jdbc.sql("SELECT COUNT(*) FROM mcp_sessions WHERE id_hash = ?").param(SessionStore.key(sessionId)).query(Integer.class).single();
    }

    private int upstreamCount(String sessionId) {
        return jdbc.sql("SELECT COALESCE(MAX(upstream_count), -1) FROM mcp_sessions WHERE id_hash = ?").param(SessionStore.key(sessionId))
                .query(Integer.class).single();
    }

    @Test
    void aSessionIsCarriedOnFromTheDatabaseWithItsUpstreamSessionAndOnlyByItsOwnConnection() {
        Connection owner = admin.connect(gateway);
        Connection other = admin.connect(gateway);
        try (McpTestClient c = client(owner)) {
            assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            Result first = c.callTool("st__echo", echo("one"));
            assertThat(first.result().path("content").path(0).path("text").asString()).as(first.body()).isEqualTo("one");
            String sid = c.sessionId();
            await("stored with its upstream session").atMost(WAIT).until(() -> upstreamCount(sid) == 1);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM mcp_sessions WHERE id_hash = ?").param(sid).query(Integer.class).single())
                    .as("the id itself is not a key").isZero();

            registry.leaveAll();

            try (McpTestClient thief = client(other)) {
                thief.sessionId(sid);
                Result refused = thief.callTool("st__echo", echo("stolen"));
                assertThat(refused.status()).as("another connection: as if missing").isEqualTo(404);
            }
            assertThat(upstreamSessionOf).doesNotContainKey("stolen");

            Result second = c.callTool("st__echo", echo("two"));
            assertThat(second.status()).as(second.body()).isEqualTo(200);
            assertThat(second.result().path("content").path(0).path("text").asString()).isEqualTo("two");
            assertThat(second.header("Mcp-Session-Id")).isEqualTo(sid);
            assertThat(upstreamSessionOf.get("two")).as("the same upstream session, re-attached by its id").isEqualTo(upstreamSessionOf.get("one"));

            assertThat(c.delete().status()).isEqualTo(204);
            await("the ended session is removed").atMost(WAIT).until(() -> stored(sid) == 0);
            registry.leaveAll();
            assertThat(c.callTool("st__echo", echo("three")).status()).as("ended is ended").isEqualTo(404);
        }
    }

    @Test
    void aSessionEndedByDeleteIsNeverCarriedOnWhileItsRowIsStillBeingDeleted() throws Exception {
        Connection owner = admin.connect(gateway);
        try (McpTestClient c = client(owner)) {
            assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            String sid = c.sessionId();
            await("stored").atMost(WAIT).until(() -> stored(sid) == 1);
            // Another transaction holds the row, so the background writer's DELETE waits (readers are not blocked).
            try (java.sql.Connection lock = dataSource.getConnection()) {
                lock.setAutoCommit(false);
                try (var st = lock.prepareStatement("SELECT id_hash FROM mcp_sessions WHERE id_hash = ? FOR UPDATE")) {
                    st.setString(1, SessionStore.key(sid));
                    st.executeQuery().close();
                }
                assertThat(c.delete().status()).isEqualTo(204);
                assertThat(stored(sid)).as("the row is still there").isEqualTo(1);
                Result after = c.call("ping", null);
                assertThat(after.status()).as("ended is ended, row or no row: %s", after.body()).isEqualTo(404);
                lock.rollback();
            }
            await("the ended session is removed").atMost(WAIT).until(() -> stored(sid) == 0);
        }
    }

    @Test
    void onTheEmbeddedDatabaseAShortSessionIsNeverWrittenAndAnotherIsInsertedOnceWithItsUpstreamSession() {
        jdbc.sql("CREATE TRIGGER IF NOT EXISTS session_row_writes AFTER INSERT, UPDATE, DELETE ON mcp_sessions FOR EACH ROW CALL '"
                + SessionRowWrites.class.getName() + "'").update();
        Connection owner = admin.connect(gateway);
        try (McpTestClient kept = client(owner)) {
            assertThat(kept.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
            assertThat(kept.callTool("st__echo", echo("kept")).status()).isEqualTo(200);
            String keptId = kept.sessionId();
            // once it is stored with its upstream session the writer has nothing queued: the next session's writes gather anew
            await("stored with its upstream session").atMost(WAIT).until(() -> upstreamCount(keptId) == 1);
            // its creation and its upstream session gathered into one insert (an update follows only on a machine slower than the linger)
            assertThat(SessionRowWrites.of(SessionStore.key(keptId))).as("the kept session's row writes").startsWith("INSERT")
                    .containsOnlyOnce("INSERT").doesNotContain("DELETE");

            String shortLived;
            try (McpTestClient c = client(owner)) {
                assertThat(c.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
                assertThat(c.callTool("st__echo", echo("brief")).status()).isEqualTo(200);
                shortLived = c.sessionId();
                assertThat(c.delete().status()).isEqualTo(204);
            }
            // the kept session's removal is queued after the short one ended: once it is written, that one was dealt with
            assertThat(kept.delete().status()).isEqualTo(204);
            await("the ended session is removed").atMost(WAIT).until(() -> stored(keptId) == 0);
            assertThat(SessionRowWrites.of(SessionStore.key(shortLived))).as("the short session's row writes").isEmpty();
            assertThat(SessionRowWrites.of(SessionStore.key(keptId))).startsWith("INSERT").containsOnlyOnce("INSERT", "DELETE")
                    .endsWith("DELETE");
        } finally {
            jdbc.sql("DROP TRIGGER IF EXISTS session_row_writes").update();
        }
    }

    @Test
    void anUnknownSessionIdIsA404() {
        Connection owner = admin.connect(gateway);
        try (McpTestClient c = client(owner)) {
            c.sessionId("x".repeat(32));
            assertThat(c.callTool("st__echo", echo("nobody")).status()).isEqualTo(404);
            c.sessionId("y".repeat(4000));
            assertThat(c.callTool("st__echo", echo("nobody")).status()).isIn(404, 400, 431);
        }
    }
}
