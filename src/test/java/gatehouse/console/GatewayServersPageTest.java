package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.catalog.features.HostileServer;
import gatehouse.testing.RefusedPort;

/**
 * The Servers tab of a gateway: a shared token typed into the assignment form is tried against the
 * server before anything is saved, as the admin API and the wizard try theirs. One the server
 * refuses is shown on the page with the reason and the assignment is not made; one it takes is
 * saved, and so is one for a server that cannot be reached at all (it said nothing about the token).
 */
class GatewayServersPageTest extends ConsoleWorld {

    /** An HTTP server that answers every request 401, as an upstream does to a token it does not know. */
    private static HttpServer refusing() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/mcp", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] body = "{\"error\":\"invalid_token\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            ex.sendResponseHeaders(401, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        return http;
    }

    @Test
    void aSharedTokenIsTriedAgainstTheServerBeforeTheAssignmentIsSaved() throws Exception {
        ConsoleSession owner = person("role_owner", null);
        String tab = "/console/gateways/" + gwA + "/servers";
        HttpServer refusing = refusing();
        try {
            String sid = admin.createHttpServer(unique("refusing"), "streamable-http",
                    "http://127.0.0.1:" + refusing.getAddress().getPort() + "/mcp");
            ConsoleSession.Page refused = owner.post(tab, tab, Map.of("serverId", sid, "identity", "shared", "sharedToken", "tok-wrong"));
            assertThat(path(refused)).isEqualTo(tab);
            String page = owner.get(tab).body();
            assertThat(page).contains("The token was not saved").contains("refused this token (HTTP 401)").doesNotContain("tok-wrong");
            assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/servers", null).toString()).as("not assigned").doesNotContain(sid);
        } finally {
            refusing.stop(0);
        }

        try (HostileServer up = HostileServer.start(unique("h"))) {
            String sid = admin.createHttpServer(unique("up"), "streamable-http", up.url());
            ConsoleSession.Page saved = owner.post(tab, tab, Map.of("serverId", sid, "identity", "shared", "sharedToken", "tok-good"));
            assertThat(path(saved)).isEqualTo(tab);
            assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/servers", null).toString()).contains(sid);
        }

        String down = admin.createHttpServer(unique("down"), "streamable-http", RefusedPort.url("/mcp"));
        ConsoleSession.Page unchecked = owner.post(tab, tab, Map.of("serverId", down, "identity", "shared", "sharedToken", "tok-later"));
        assertThat(path(unchecked)).isEqualTo(tab);
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/servers", null).toString()).as("saved unchecked").contains(down);
    }
}
