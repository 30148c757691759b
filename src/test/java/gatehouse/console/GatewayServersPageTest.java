package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.catalog.features.HostileServer;
import gatehouse.testing.RefusedPort;

/**
 * The Servers tab of a gateway: a shared token typed into the assignment form is tried against the
 * server before anything is saved, as the admin API and the wizard try theirs. One the server
 * cannot be checked with is refused on the page with the reason and the assignment is not made; one
 * it takes is saved.
 */
class GatewayServersPageTest extends ConsoleWorld {

    @Test
    void aSharedTokenIsTriedAgainstTheServerBeforeTheAssignmentIsSaved() {
        ConsoleSession owner = person("role_owner", null);
        String tab = "/console/gateways/" + gwA + "/servers";
        String down = admin.createHttpServer(unique("down"), "streamable-http", RefusedPort.url("/mcp"));
        ConsoleSession.Page refused = owner.post(tab, tab, Map.of("serverId", down, "identity", "shared", "sharedToken", "tok-unchecked"));
        assertThat(path(refused)).isEqualTo(tab);
        String page = owner.get(tab).body();
        assertThat(page).contains("The token was not saved").contains("did not accept this token").doesNotContain("tok-unchecked");
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/servers", null).toString()).as("not assigned").doesNotContain(down);

        try (HostileServer up = HostileServer.start(unique("h"))) {
            String sid = admin.createHttpServer(unique("up"), "streamable-http", up.url());
            ConsoleSession.Page saved = owner.post(tab, tab, Map.of("serverId", sid, "identity", "shared", "sharedToken", "tok-good"));
            assertThat(path(saved)).isEqualTo(tab);
            assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/servers", null).toString()).contains(sid);
        }
    }
}
