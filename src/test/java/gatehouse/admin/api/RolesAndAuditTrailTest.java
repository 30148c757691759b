package gatehouse.admin.api;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.catalog.CatalogService;
import gatehouse.testing.AdminClient;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Roles, grants, per-team tool subsets and the administrative audit trail over real HTTP: what an
 * administrator changes is recorded with who, what, before and after, and never a secret.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class RolesAndAuditTrailTest {
    private static final String ADMIN_TOKEN = "gha_roles-audit-test-token-0123456789abcdefghijklmnopqrstuvwxyz";

    @LocalServerPort int port;
    @Autowired CatalogService catalog;
    @Autowired gatehouse.admin.tokens.AdminTokens adminTokens;
    AdminClient admin;

    @BeforeEach
    void adminToken() {
        adminTokens.ensure(ADMIN_TOKEN, "roles-audit-test");
        admin = new AdminClient("http://localhost:" + port, ADMIN_TOKEN);
    }

    private JsonNode expect(int status, String method, String path, Object body) {
        AdminClient.Answer a = admin.send(method, path, body);
        assertThat(a.status()).as("%s %s answered %s", method, path, a.body()).isEqualTo(status);
        return a.body();
    }

    @Test
    void builtInRolesExistAndCannotBeChanged() {
        JsonNode roles = expect(200, "GET", "/roles", null);
        assertThat(roles.valueStream().map(r -> r.path("name").asString()).toList())
                .contains("owner", "gateway-admin", "auditor", "member");
        JsonNode owner = roles.valueStream().filter(r -> r.path("name").asString().equals("owner")).findFirst().orElseThrow();
        assertThat(owner.path("builtIn").asBoolean()).isTrue();
        expect(409, "DELETE", "/roles/" + owner.path("id").asString(), null);
        expect(409, "PATCH", "/roles/" + owner.path("id").asString(), Map.of("permissions", List.of()));
    }

    @Test
    void customRolesValidateTheirPermissions() {
        String name = unique("curator");
        JsonNode role = expect(201, "POST", "/roles", Map.of("name", name, "permissions", List.of("gateway.read", "gateway.provision")));
        assertThat(role.path("permissions").valueStream().map(JsonNode::asString).toList()).containsExactly("gateway.read", "gateway.provision");
        JsonNode bad = expect(400, "POST", "/roles", Map.of("name", unique("bad"), "permissions", List.of("gateway.destroy")));
        assertThat(bad.path("field").asString()).isEqualTo("permissions");
        assertThat(bad.path("detail").asString()).contains("gateway.destroy");
        expect(409, "POST", "/roles", Map.of("name", name, "permissions", List.of()));
        expect(400, "POST", "/roles", Map.of("name", unique("none")));
    }

    @Test
    void grantsAreGlobalOrScopedToAGatewayOrTeam() {
        String uid = expect(201, "POST", "/users", Map.of("username", unique("lead"), "email", "lead@example.com")).path("id").asString();
        String gid = admin.createGateway(unique("gw"));
        String tid = expect(201, "POST", "/teams", Map.of("name", unique("team"))).path("id").asString();
        JsonNode onGateway = expect(200, "PUT", "/users/" + uid + "/roles/role_gateway_admin", Map.of("scope", Map.of("gatewayId", gid)));
        assertThat(onGateway.path("scope").asString()).isEqualTo("gateway");
        assertThat(onGateway.path("scopeId").asString()).isEqualTo(gid);
        JsonNode onTeam = expect(200, "PUT", "/users/" + uid + "/roles/role_auditor", Map.of("scope", Map.of("teamId", tid)));
        assertThat(onTeam.path("scope").asString()).isEqualTo("team");
        JsonNode global = expect(200, "PUT", "/users/" + uid + "/roles/role_member", null);
        assertThat(global.path("scope").asString()).isEqualTo("global");
        assertThat(expect(200, "PUT", "/users/" + uid + "/roles/role_member", Map.of()).path("id").asString())
                .as("the same role in the same scope is one grant").isEqualTo(global.path("id").asString());
        assertThat(expect(200, "GET", "/users/" + uid + "/roles", null).size()).isEqualTo(3);

        expect(404, "PUT", "/users/" + uid + "/roles/role_owner", Map.of("scope", Map.of("gatewayId", "gw_missing")));
        expect(404, "PUT", "/users/" + uid + "/roles/role_nope", null);
        expect(400, "PUT", "/users/" + uid + "/roles/role_owner", Map.of("scope", Map.of("gatewayId", gid, "teamId", tid)));

        expect(204, "DELETE", "/users/" + uid + "/roles/role_auditor", null);
        assertThat(expect(200, "GET", "/users/" + uid + "/roles", null).size()).isEqualTo(2);
        expect(404, "DELETE", "/users/" + uid + "/roles/role_auditor", null);
    }

    @Test
    void aTeamCanHoldAGatewayWithASubsetOfItsTools() {
        String gid = admin.createGateway(unique("gw"));
        String tid = expect(201, "POST", "/teams", Map.of("name", unique("team"))).path("id").asString();
        JsonNode team = expect(200, "PUT", "/gateways/" + gid + "/teams/" + tid, Map.of("tools", List.of("fs__read", "fs__list")));
        assertThat(team.path("gatewayIds").valueStream().map(JsonNode::asString).toList()).containsExactly(gid);
        assertThat(team.path("tools").path(gid).valueStream().map(JsonNode::asString).toList()).containsExactly("fs__read", "fs__list");
        team = expect(200, "PUT", "/gateways/" + gid + "/teams/" + tid, null);
        assertThat(team.path("tools").has(gid)).as("no subset: every tool").isFalse();
        assertThat(team.path("gatewayIds").size()).isEqualTo(1);
        JsonNode bad = expect(400, "PUT", "/gateways/" + gid + "/teams/" + tid, Map.of("tools", List.of("")));
        assertThat(bad.path("field").asString()).isEqualTo("tools");
    }

    @Test
    void everyChangeIsRecordedWithBeforeAndAfterAndNoSecret() throws Exception {
        String username = unique("audited");
        String password = "Sup3r-secret-" + unique("pw");
        String uid = expect(201, "POST", "/users", Map.of("username", username, "password", password, "email", "a@example.com"))
                .path("id").asString();
        expect(200, "PATCH", "/users/" + uid, Map.of("email", "b@example.com", "password", password + "2"));
        expect(200, "GET", "/users/" + uid, null);

        JsonNode rows = expect(200, "GET", "/admin-audit?target=" + uid, null);
        assertThat(rows.size()).as("two changes, reads are not recorded: %s", rows).isEqualTo(2);
        JsonNode patch = rows.get(0);
        assertThat(patch.path("action").asString()).isEqualTo("PATCH /users/{}");
        assertThat(patch.path("actor").asString()).isEqualTo("admin-token:roles-audit-test");
        assertThat(patch.path("actorKind").asString()).isEqualTo("admin-token");
        assertThat(patch.path("status").asInt()).isEqualTo(200);
        assertThat(patch.path("before").path("email").asString()).isEqualTo("a@example.com");
        assertThat(patch.path("after").path("email").asString()).isEqualTo("b@example.com");
        JsonNode create = rows.get(1);
        assertThat(create.path("action").asString()).isEqualTo("POST /users");
        assertThat(create.path("before").isNull() || create.path("before").isMissingNode()).isTrue();
        assertThat(create.path("after").path("username").asString()).isEqualTo(username);

        HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + port + "/api/v1/admin-audit?format=csv&target=" + uid))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.body().lines().toList()).hasSize(3).first().asString().startsWith("id,time,actor");
        HttpResponse<String> all = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + port + "/api/v1/admin-audit?format=jsonl&limit=10000"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(all.body()).contains(username).doesNotContain(password).doesNotContain(ADMIN_TOKEN);

        expect(404, "PATCH", "/users/usr_missing", Map.of("email", "x@example.com"));
        assertThat(expect(200, "GET", "/admin-audit?target=usr_missing", null).size()).as("a refused change changed nothing").isZero();
        expect(400, "GET", "/admin-audit?format=xml", null);
    }

    @Test
    void auditedSecretsAreRedactedAtAnyDepth() {
        String name = unique("srv");
        String refused = gatehouse.testing.RefusedPort.url("/mcp");
        String sid = admin.createHttpServer(name, "streamable-http", refused);
        expect(200, "PATCH", "/servers/" + sid, Map.of("name", name, "transport", "streamable-http", "url", refused,
                "headers", Map.of("Authorization", "Bearer upstream-secret-value")));
        JsonNode rows = expect(200, "GET", "/admin-audit?target=" + sid, null);
        assertThat(rows.toString()).doesNotContain("upstream-secret-value");
        assertThat(rows.get(0).path("after").path("headers").path("Authorization").asString()).isEqualTo("<redacted>");
    }
}
