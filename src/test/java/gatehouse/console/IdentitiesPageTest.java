package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;
import gatehouse.catalog.features.HostileServer;
import tools.jackson.databind.JsonNode;

/**
 * The Identities page over real HTTP: the credentials connections hold for a personal server, by
 * state, with revoke; a static token offers no refresh and a refresh asked anyway is refused with the
 * reason; someone who may not manage a gateway's connections neither sees nor touches them.
 */
class IdentitiesPageTest extends ConsoleWorld {

    private HostileServer upstream;

    @AfterEach
    void stopUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void identitiesAreListedByStateAndRevoked() {
        // a real MCP server: a token given through the admin API is tried on it before it is kept
        upstream = HostileServer.start(unique("personal"));
        String server = admin.createHttpServer(unique("personal-http"), "streamable-http", upstream.url());
        admin.expect(200, "PUT", "/gateways/" + gwA + "/servers/" + server, Map.of("identity", "personal", "prefix", "p"));
        AdminClient.Connection withToken = admin.connect(gwA, HOSTILE + unique("agent"));
        admin.expect(200, "PUT", "/connections/" + withToken.id() + "/identities/" + server, Map.of("token", "upstream-s3cr3t-token"));
        AdminClient.Connection without = admin.connect(gwA, unique("bare-agent"));

        ConsoleSession owner = person("role_owner", null);
        assertThat(owner.get("/console/gateways").body()).contains("/console/identities\"");
        ConsoleSession.Page page = owner.get("/console/identities?gateway=" + gwA);
        assertThat(page.status()).isEqualTo(200);
        String body = page.body();
        assertThat(body).doesNotContain("upstream-s3cr3t-token").contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");
        String rowWith = row(body, withToken.id());
        assertThat(rowWith).contains(">ok<", "token").doesNotContain(">Refresh<").contains(">Revoke<");
        assertThat(row(body, without.id())).contains(">missing<").doesNotContain(">Revoke<");
        assertThat(owner.get("/console/identities?state=missing&gateway=" + gwA).body()).contains(without.id()).doesNotContain(withToken.id());

        // a static token has nothing to refresh: asked anyway, the page says why
        ConsoleSession.Page refresh = owner.post("/console/identities", "/console/identities/" + withToken.id() + "/" + server + "/refresh", Map.of());
        assertThat(path(refresh)).isEqualTo("/console/identities");
        assertThat(owner.get("/console/identities").body()).contains("static token");

        assertThat(owner.postRaw("/console/identities/" + withToken.id() + "/" + server + "/revoke", Map.of(), "/console/identities").status())
                .as("no CSRF token").isEqualTo(403);
        // someone who manages only another gateway's connections: the row is not there, revoking answers like a missing connection
        ConsoleSession dana = person("role_gateway_admin", gwB);
        assertThat(dana.get("/console/identities").body()).doesNotContain(withToken.id());
        assertThat(dana.post("/console/identities", "/console/identities/" + withToken.id() + "/" + server + "/revoke", Map.of()).status())
                .isEqualTo(404);
        assertThat(state(withToken.id(), server)).isEqualTo("ok");
        // an auditor manages no connections: no entry, and the page is a missing one
        ConsoleSession auditor = person("role_auditor", null);
        assertThat(auditor.get("/console/gateways").body()).doesNotContain("/console/identities\"");
        assertThat(auditor.get("/console/identities").status()).isEqualTo(404);

        assertThat(path(owner.post("/console/identities", "/console/identities/" + withToken.id() + "/" + server + "/revoke", Map.of())))
                .isEqualTo("/console/identities");
        assertThat(state(withToken.id(), server)).isEqualTo("revoked");
        assertThat(row(owner.get("/console/identities").body(), withToken.id())).contains(">revoked<", "revoked by").doesNotContain(">Revoke<");
    }

    private String state(String connectionId, String serverId) {
        for (JsonNode i : admin.expect(200, "GET", "/connections/" + connectionId, null).path("identities")) {
            if (i.path("serverId").asString().equals(serverId)) {
                return i.path("state").asString();
            }
        }
        return null;
    }

    /** The table row of one connection. */
    private static String row(String body, String connectionId) {
        int at = body.indexOf("data-connection-id=\"" + connectionId + "\"");
        assertThat(at).as("a row for %s", connectionId).isPositive();
        return body.substring(at, body.indexOf("</tr>", at));
    }
}
