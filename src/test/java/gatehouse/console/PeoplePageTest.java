package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Users, teams and roles in the console: the owner manages them; a gateway administrator may not; forms need CSRF; names are text. */
class PeoplePageTest extends ConsoleWorld {

    @Test
    void anOwnerManagesUsersTeamsRolesAndGrants() {
        ConsoleSession owner = person("role_owner", null);
        ConsoleSession.Page page = owner.get("/console/people");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"create-user\"", "id=\"create-team\"", "id=\"create-role\"", "aria-current=\"page\">Users, Teams &amp; Roles<");

        String username = unique("newbie");
        assertThat(path(owner.post("/console/people", "/console/people/users",
                Map.of("username", username, "email", username + "@example.com", "password", "long enough password")))).isEqualTo("/console/people");
        JsonNode user = null;
        for (JsonNode u : admin.expect(200, "GET", "/users", null)) {
            if (u.path("username").asString().equals(username)) {
                user = u;
            }
        }
        assertThat(user).isNotNull();
        String uid = user.path("id").asString();
        assertThat(user.path("hasPassword").asBoolean()).isTrue();

        String teamName = HOSTILE + unique("t");
        assertThat(path(owner.post("/console/people", "/console/people/teams", Map.of("name", teamName)))).isEqualTo("/console/people");
        String tid = null;
        for (JsonNode t : admin.expect(200, "GET", "/teams", null)) {
            if (t.path("name").asString().equals(teamName)) {
                tid = t.path("id").asString();
            }
        }
        assertThat(tid).isNotNull();
        owner.post("/console/people", "/console/people/teams/" + tid + "/members", Map.of("userId", uid));
        assertThat(admin.expect(200, "GET", "/teams/" + tid, null).path("memberIds").toString()).contains(uid);
        assertThat(owner.get("/console/people").body()).contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");

        owner.post("/console/people", "/console/people/users/" + uid + "/roles", Map.of("roleId", "role_gateway_admin", "gatewayId", gwA));
        JsonNode grants = admin.expect(200, "GET", "/users/" + uid + "/roles", null);
        assertThat(grants.get(0).path("scope").asString()).isEqualTo("gateway");
        assertThat(grants.get(0).path("scopeId").asString()).isEqualTo(gwA);

        String roleName = unique("logreader");
        owner.post("/console/people", "/console/people/roles", Map.of("name", roleName, "permissions", "gateway.logs"));
        assertThat(admin.expect(200, "GET", "/roles", null).toString()).contains(roleName, "gateway.logs");

        owner.post("/console/people", "/console/people/users/" + uid, Map.of("email", username + "@example.org", "enabled", "false", "password", ""));
        JsonNode after = admin.expect(200, "GET", "/users/" + uid, null);
        assertThat(after.path("enabled").asBoolean()).isFalse();
        assertThat(after.path("email").asString()).isEqualTo(username + "@example.org");

        assertThat(owner.postRaw("/console/people/users/" + uid + "/delete", Map.of(), "/console/people").status()).as("no CSRF token").isEqualTo(403);
        assertThat(path(owner.post("/console/people", "/console/people/users/" + uid + "/delete", Map.of()))).isEqualTo("/console/people");
        assertThat(admin.send("GET", "/users/" + uid, null).status()).isEqualTo(404);
    }

    @Test
    void aGatewayAdministratorCannotManagePeople() {
        ConsoleSession dana = person("role_gateway_admin", gwA);
        assertThat(dana.get("/console/gateways").body()).doesNotContain("/console/people\"");
        assertThat(dana.get("/console/people").status()).isEqualTo(403);
        String sneaky = unique("sneaky");
        ConsoleSession.Page refused = dana.post("/console/gateways", "/console/people/users", Map.of("username", sneaky, "email", sneaky + "@example.com"));
        assertThat(refused.status()).isEqualTo(302);
        assertThat(admin.expect(200, "GET", "/users", null).toString()).doesNotContain(sneaky);
        ConsoleSession.Page grant = dana.post("/console/gateways", "/console/people/users/whoever/roles", Map.of("roleId", "role_owner"));
        assertThat(grant.status()).isEqualTo(302);
        assertThat(dana.get("/console/gateways").body()).contains("this needs the permission &#39;admin&#39;");
    }
}
