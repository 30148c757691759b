package gatehouse.admin.api;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.testing.AdminClient;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Who may do what over the admin API, as a matrix: callers with built-in, custom and scoped roles
 * (each through their own per-user API token) against the calls that matter, expecting the exact
 * status; a gateway or team a caller may not see answers exactly like a missing one. Also: token
 * kinds are never accepted in each other's place, and a disabled user's tokens stop at once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class RbacMatrixTest {
    private static final String ADMIN_TOKEN = "gha_rbac-matrix-test-token-0123456789abcdefghijklmnopqrstuvwxyz";

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    AdminClient admin;

    String gwA, gwB, teamA, teamB, leadRole;
    final Map<String, String> userIds = new LinkedHashMap<>();
    final Map<String, AdminClient> as = new LinkedHashMap<>();

    @BeforeEach
    void world() {
        adminTokens.ensure(ADMIN_TOKEN, "rbac-matrix-test");
        admin = new AdminClient("http://localhost:" + port, ADMIN_TOKEN);
        gwA = admin.createGateway(unique("gw-a"));
        gwB = admin.createGateway(unique("gw-b"));
        teamA = admin.createTeam(unique("team-a"));
        teamB = admin.createTeam(unique("team-b"));
        admin.grantGateway(gwA, teamA);
        admin.grantGateway(gwB, teamB);
        leadRole = admin.expect(201, "POST", "/roles", Map.of("name", unique("lead"),
                "permissions", List.of("team.manage", "gateway.read", "gateway.provision"))).path("id").asString();
        person("gwadmin", "role_gateway_admin", Map.of("gatewayId", gwA));
        person("auditor", "role_auditor", null);
        person("member", "role_member", null);
        person("lead", leadRole, Map.of("teamId", teamA));
        person("nobody", null, null);
        as.put("admin", admin);
    }

    private void person(String who, String roleId, Map<String, String> scope) {
        String uid = admin.expect(201, "POST", "/users", Map.of("username", unique(who), "email", who + "@example.com")).path("id").asString();
        userIds.put(who, uid);
        if (roleId != null) {
            admin.expect(200, "PUT", "/users/" + uid + "/roles/" + roleId, scope == null ? null : Map.of("scope", scope));
        }
        String token = admin.expect(201, "POST", "/users/" + uid + "/api-tokens", Map.of("name", who + "-token")).path("token").asString();
        as.put(who, admin.withToken(token));
    }

    /** One row: a call and the status each caller gets, in the order admin, gwadmin, auditor, member, lead, nobody. */
    private record Row(String method, String path, Object body, int... statuses) {
    }

    @Test
    void everyCallerGetsExactlyWhatTheirGrantsAllow() {
        String missing = "gw_doesnotexist0";
        List<Row> rows = List.of(
                //                                                          admin gwadm audit membr lead  nobody
                new Row("GET", "/gateways/" + gwA, null,                     200, 200, 200, 404, 200, 404),
                new Row("GET", "/gateways/" + gwB, null,                     200, 404, 200, 404, 404, 404),
                new Row("GET", "/gateways/" + missing, null,                 404, 404, 404, 404, 404, 404),
                new Row("PATCH", "/gateways/" + gwA, Map.of("name", unique("renamed")), 200, 200, 403, 404, 403, 404),
                new Row("PATCH", "/gateways/" + gwB, Map.of("name", unique("renamed")), 200, 404, 403, 404, 404, 404),
                new Row("GET", "/gateways/" + gwA + "/provisioning", null,   200, 200, 200, 404, 200, 404),
                new Row("GET", "/gateways/" + gwA + "/teams", null,          200, 200, 200, 404, 200, 404),
                new Row("PUT", "/gateways/" + gwA + "/teams/" + teamA, Map.of("tools", List.of("x__y")), 200, 200, 403, 404, 403, 404),
                // content rules need gateway.rules on that gateway: readers of the gateway are refused, others see nothing
                new Row("GET", "/gateways/" + gwA + "/rules", null,          200, 200, 403, 404, 403, 404),
                new Row("GET", "/gateways/" + gwB + "/rules", null,          200, 404, 403, 404, 404, 404),
                new Row("POST", "/gateways/" + gwA + "/rules/test", Map.of("text", "x"), 200, 200, 403, 404, 403, 404),
                new Row("GET", "/logs?gateway=" + gwA, null,                 200, 200, 200, 404, 403, 404),
                new Row("GET", "/logs?gateway=" + gwB, null,                 200, 404, 200, 404, 404, 404),
                new Row("GET", "/logs", null,                                200, 403, 200, 403, 403, 403),
                new Row("GET", "/connections?gateway=" + gwA, null,          200, 200, 403, 404, 403, 404),
                new Row("GET", "/servers", null,                             200, 200, 200, 403, 200, 403),
                new Row("POST", "/gateways", Map.of("name", unique("new")), 201, 403, 403, 403, 403, 403),
                new Row("POST", "/users", Map.of("username", unique("u"), "email", "u@example.com"), 201, 403, 403, 403, 403, 403),
                new Row("GET", "/users", null,                               200, 403, 403, 403, 403, 403),
                new Row("GET", "/teams/" + teamA, null,                      200, 404, 404, 404, 200, 404),
                new Row("GET", "/teams/" + teamB, null,                      200, 404, 404, 404, 404, 404),
                new Row("POST", "/roles", Map.of("name", unique("r"), "permissions", List.of("admin")), 201, 403, 403, 403, 403, 403),
                new Row("GET", "/admin-audit", null,                         200, 403, 403, 403, 403, 403),
                new Row("GET", "/admin-tokens", null,                        200, 403, 403, 403, 403, 403),
                new Row("GET", "/alerts", null,                              200, 403, 403, 403, 403, 403));
        List<String> callers = List.of("admin", "gwadmin", "auditor", "member", "lead", "nobody");
        List<String> wrong = new ArrayList<>();
        for (Row row : rows) {
            for (int i = 0; i < callers.size(); i++) {
                AdminClient.Answer a = as.get(callers.get(i)).send(row.method(), row.path(), row.body());
                if (a.status() != row.statuses()[i]) {
                    wrong.add(callers.get(i) + " " + row.method() + " " + row.path() + " → " + a.status() + " (expected " + row.statuses()[i] + "): " + a.text());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void aGatewayTheCallerMayNotSeeAnswersExactlyLikeAMissingOne() {
        AdminClient gwadmin = as.get("gwadmin");
        JsonNode hidden = gwadmin.send("GET", "/gateways/" + gwB, null).body();
        JsonNode missing = gwadmin.send("GET", "/gateways/gw_doesnotexist0", null).body();
        assertThat(hidden.path("title")).isEqualTo(missing.path("title"));
        assertThat(hidden.path("detail").asString().replace(gwB, "ID")).isEqualTo(missing.path("detail").asString().replace("gw_doesnotexist0", "ID"));
        assertThat(gwadmin.expect(200, "GET", "/gateways", null).valueStream().map(g -> g.path("id").asString()).toList())
                .containsExactly(gwA);
        assertThat(as.get("auditor").expect(200, "GET", "/gateways", null).valueStream().map(g -> g.path("id").asString()).toList())
                .contains(gwA, gwB);
        assertThat(as.get("lead").expect(200, "GET", "/teams", null).valueStream().map(t -> t.path("id").asString()).toList())
                .containsExactly(teamA);
    }

    @Test
    void grantsCannotBeRaisedByTheirHolders() {
        String self = userIds.get("gwadmin");
        assertThat(as.get("gwadmin").send("PUT", "/users/" + self + "/roles/role_owner", null).status()).isEqualTo(403);
        assertThat(as.get("lead").send("POST", "/users/" + userIds.get("nobody") + "/api-tokens", Map.of("name", "x")).status()).isEqualTo(403);
        // a person may make more tokens for themselves: they act with the same grants
        String extra = as.get("member").expect(201, "POST", "/users/" + userIds.get("member") + "/api-tokens", Map.of("name", "second"))
                .path("token").asString();
        assertThat(admin.withToken(extra).send("GET", "/users", null).status()).isEqualTo(403);
    }

    @Test
    void changesByAPersonAreAuditedUnderTheirName() {
        as.get("gwadmin").expect(200, "PATCH", "/gateways/" + gwA, Map.of("name", unique("by-gwadmin")));
        JsonNode rows = admin.expect(200, "GET", "/admin-audit?target=" + gwA + "&action=PATCH", null);
        assertThat(rows.get(0).path("actor").asString()).startsWith("user:gwadmin").contains("gwadmin-token");
        assertThat(rows.get(0).path("actorKind").asString()).isEqualTo("user-token");
    }

    @Test
    void tokenKindsAreNeverAcceptedInEachOthersPlace() throws Exception {
        AdminClient.Connection c = admin.connect(gwA);
        assertThat(admin.withToken(c.token()).send("GET", "/gateways", null).status()).as("an MCP token on the admin API").isEqualTo(401);
        HttpResponse<String> mcp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/gateway/v1/mcp?gateway=" + gwA))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(mcp.statusCode()).as("an admin token on the MCP endpoint").isEqualTo(401);
    }

    @Test
    void aDisabledPersonsTokensStopAtOnce() {
        String uid = userIds.get("auditor");
        assertThat(as.get("auditor").send("GET", "/logs", null).status()).isEqualTo(200);
        admin.expect(200, "PATCH", "/users/" + uid, Map.of("enabled", false));
        assertThat(as.get("auditor").send("GET", "/logs", null).status()).isEqualTo(401);
        admin.expect(200, "PATCH", "/users/" + uid, Map.of("enabled", true));
        assertThat(as.get("auditor").send("GET", "/logs", null).status()).as("revoked, not merely suspended").isEqualTo(401);
        assertThat(admin.expect(200, "GET", "/users/" + uid + "/api-tokens", null).get(0).path("active").asBoolean()).isFalse();
    }
}
