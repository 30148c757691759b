package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The Teams tab: which teams hold a gateway and their tool subsets, changed with the person's own grants. */
class GatewayTeamsPageTest extends ConsoleWorld {

    @Test
    void aGatewayAdministratorGivesTheirGatewayToATeamWithASubset() {
        String teamName = HOSTILE + unique("t");
        String team = admin.createTeam(teamName);
        ConsoleSession dana = person("role_gateway_admin", gwA);
        String tab = "/console/gateways/" + gwA + "/teams";

        ConsoleSession.Page empty = dana.get(tab);
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.body()).contains("No team holds this gateway yet", "id=\"add-team\"")
                .contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");

        assertThat(path(dana.post(tab, tab, Map.of("teamId", team, "scope", "all")))).isEqualTo(tab);
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/teams", null).toString()).contains(team);
        assertThat(dana.get(tab).body()).contains("every tool");

        admin.expect(200, "PUT", "/gateways/" + gwA + "/teams/" + team, Map.of("prompts", java.util.List.of("srv__greet")));
        assertThat(dana.get(tab).body()).contains("Prompts: srv__greet.");
        assertThat(path(dana.post(tab, tab, Map.of("teamId", team, "scope", "some", "tools", "srv__echo")))).isEqualTo(tab);
        assertThat(admin.expect(200, "GET", "/teams/" + team, null).path("tools").path(gwA).toString()).isEqualTo("[\"srv__echo\"]");
        assertThat(dana.get(tab).body()).contains("1 tools: srv__echo");
        assertThat(admin.expect(200, "GET", "/teams/" + team, null).path("prompts").path(gwA).toString())
                .as("the prompt subset set through the API stays").isEqualTo("[\"srv__greet\"]");

        // another gateway: like a missing one, and nothing changes there
        assertThat(dana.get("/console/gateways/" + gwB + "/teams").status()).isEqualTo(404);
        assertThat(dana.post(tab, "/console/gateways/" + gwB + "/teams", Map.of("teamId", team)).status()).isEqualTo(404);
        assertThat(admin.expect(200, "GET", "/gateways/" + gwB + "/teams", null).size()).isZero();

        assertThat(path(dana.post(tab, tab + "/" + team + "/remove", Map.of()))).isEqualTo(tab);
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/teams", null).size()).isZero();
    }

    @Test
    void aReaderSeesTheTeamsButCannotChangeThem() {
        String team = admin.createTeam(unique("t"));
        admin.grantGateway(gwA, team);
        ConsoleSession auditor = person("role_auditor", null);
        String tab = "/console/gateways/" + gwA + "/teams";
        ConsoleSession.Page page = auditor.get(tab);
        assertThat(page.body()).contains("every tool").doesNotContain("Remove team").doesNotContain("id=\"add-team\"");
        ConsoleSession.Page refused = auditor.post(tab, tab + "/" + team + "/remove", Map.of());
        assertThat(path(refused)).isEqualTo(tab);
        assertThat(auditor.get(tab).body()).contains("gateway.manage");
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/teams", null).size()).isEqualTo(1);
        assertThat(auditor.postRaw(tab + "/" + team + "/remove", Map.of(), tab).status()).as("no CSRF token").isEqualTo(403);
    }
}
