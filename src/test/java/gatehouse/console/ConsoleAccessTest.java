package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The console acts with the signed-in person's grants, over real HTTP with the real sign-in form:
 * a gateway administrator sees and changes only their gateway, another gateway answers word for word
 * like a missing one, a read-only person cannot change anything, and every form needs its CSRF token.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class ConsoleAccessTest {
    private static final String ADMIN_TOKEN = "gha_console-access-test-token-0123456789abcdefghijklmnop";
    private static final String PASSWORD = "correct horse battery staple";

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    AdminClient admin;
    String gwA, gwB, gwAName, gwBName;

    @BeforeEach
    void world() {
        adminTokens.ensure(ADMIN_TOKEN, "console-access-test");
        admin = new AdminClient(base(), ADMIN_TOKEN);
        gwAName = unique("alpha");
        gwBName = unique("bravo");
        gwA = admin.createGateway(gwAName);
        gwB = admin.createGateway(gwBName);
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** A person with a password and, when {@code roleId} is given, that role (scoped to {@code gatewayId} when given). */
    ConsoleSession person(String roleId, String gatewayId) {
        String username = unique("p");
        String uid = admin.createUser(username, PASSWORD, username + "@example.com");
        if (roleId != null) {
            admin.expect(200, "PUT", "/users/" + uid + "/roles/" + roleId,
                    gatewayId == null ? null : Map.of("scope", Map.of("gatewayId", gatewayId)));
        }
        ConsoleSession s = new ConsoleSession(base());
        ConsoleSession.Page signedIn = s.signIn(username, PASSWORD);
        assertThat(signedIn.status()).isEqualTo(302);
        return s;
    }

    @Test
    void aGatewayAdministratorSeesAndChangesOnlyTheirGateway() {
        ConsoleSession dana = person("role_gateway_admin", gwA);

        ConsoleSession.Page list = dana.get("/console/gateways");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains(gwAName).doesNotContain(gwBName).doesNotContain(gwB);
        assertThat(list.body()).as("only a global gateway.manage may create gateways").doesNotContain("id=\"create-gateway\"");

        assertThat(dana.get("/console/gateways/" + gwA).status()).isEqualTo(200);
        ConsoleSession.Page other = dana.get("/console/gateways/" + gwB);
        ConsoleSession.Page missing = dana.get("/console/gateways/gw_doesnotexist");
        assertThat(other.status()).isEqualTo(404);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(other.withoutTokens()).as("a gateway she may not see answers exactly like a missing one")
                .isEqualTo(missing.withoutTokens().replace("gw_doesnotexist", gwB));
        assertThat(other.body()).doesNotContain(gwBName);
        assertThat(dana.get("/console/gateways/" + gwB + "/activity").status()).isEqualTo(404);

        ConsoleSession.Page delete = dana.post("/console/gateways/" + gwA, "/console/gateways/" + gwB + "/delete", Map.of());
        assertThat(delete.status()).isEqualTo(404);
        assertThat(admin.send("GET", "/gateways/" + gwB, null).status()).as("the other gateway is still there").isEqualTo(200);

        ConsoleSession.Page rename = dana.post("/console/gateways/" + gwA, "/console/gateways/" + gwA + "/rename", Map.of("name", gwAName + "-x"));
        assertThat(rename.status()).isEqualTo(302);
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA, null).path("name").asString()).isEqualTo(gwAName + "-x");
    }

    @Test
    void aReadOnlyPersonCannotChangeAnything() {
        ConsoleSession auditor = person("role_auditor", null);
        ConsoleSession.Page list = auditor.get("/console/gateways");
        assertThat(list.body()).contains(gwAName, gwBName).doesNotContain("id=\"create-gateway\"");
        assertThat(auditor.get("/console/gateways/" + gwA).body()).doesNotContain("Delete gateway");

        ConsoleSession.Page rename = auditor.post("/console/gateways/" + gwA, "/console/gateways/" + gwA + "/rename", Map.of("name", "taken-over"));
        assertThat(rename.status()).as("back to the page with the reason").isEqualTo(302);
        assertThat(rename.location()).endsWith("/console/gateways/" + gwA);
        assertThat(auditor.get("/console/gateways/" + gwA).body()).contains("this needs the permission &#39;gateway.manage&#39;");
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA, null).path("name").asString()).isEqualTo(gwAName);

        ConsoleSession.Page create = auditor.post("/console/gateways", "/console/gateways", Map.of("name", unique("sneaky")));
        assertThat(create.status()).isEqualTo(302);
        assertThat(admin.expect(200, "GET", "/gateways", null).toString()).doesNotContain("sneaky");
    }

    @Test
    void aPersonWithoutAnyRoleSeesNoGatewayAndIsToldWhy() {
        ConsoleSession member = person("role_member", null);
        ConsoleSession.Page list = member.get("/console/gateways");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(gwAName).contains("You do not administer any gateway yet");
        assertThat(member.get("/console/gateways/" + gwA).status()).isEqualTo(404);
    }

    @Test
    void signingInIsRequiredAndTheEntryPointsLeadToTheConsole() {
        ConsoleSession anonymous = new ConsoleSession(base());
        assertThat(anonymous.get("/").location()).endsWith("/console");
        assertThat(anonymous.get("/admin").location()).endsWith("/console");
        ConsoleSession.Page page = anonymous.get("/console/gateways");
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.location()).endsWith("/login");
        assertThat(anonymous.get("/console/gateways/" + gwA + "/activity").status()).isEqualTo(302);

        // after signing in, the person lands where they wanted to go
        String username = unique("owner");
        String uid = admin.createUser(username, PASSWORD, username + "@example.com");
        admin.expect(200, "PUT", "/users/" + uid + "/roles/role_owner", null);
        ConsoleSession.Page signedIn = anonymous.signIn(username, PASSWORD);
        assertThat(signedIn.location()).contains("/console/gateways");
        assertThat(anonymous.get("/console/gateways").body()).contains(gwAName, gwBName, "id=\"create-gateway\"");
    }

    @Test
    void everyFormNeedsItsCsrfTokenAndEveryNameIsEscaped() {
        ConsoleSession owner = person("role_owner", null);
        ConsoleSession.Page noToken = owner.postRaw("/console/gateways", Map.of("name", unique("forged")), "/console/gateways");
        assertThat(noToken.status()).isEqualTo(403);
        ConsoleSession.Page wrongToken = owner.postRaw("/console/gateways/" + gwA + "/delete", Map.of("_csrf", "not-the-token"), null);
        assertThat(wrongToken.status()).isEqualTo(403);
        assertThat(admin.send("GET", "/gateways/" + gwA, null).status()).isEqualTo(200);

        String hostile = "<img src=x onerror=alert(1)>" + unique("");
        ConsoleSession.Page created = owner.post("/console/gateways", "/console/gateways", Map.of("name", hostile));
        assertThat(created.status()).isEqualTo(302);
        String page = owner.get(created.location().replaceFirst("^https?://[^/]+", "")).body();
        assertThat(page).contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");
        assertThat(owner.get("/console/gateways").body()).doesNotContain("<img src=x");
    }
}
