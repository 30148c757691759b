package gatehouse.admin.api;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

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
import gatehouse.catalog.CatalogService;
import gatehouse.testing.AdminClient;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Keys in a server's URL or command line never come back from the admin API (nor reach the
 * administrative audit trail), and sending the redacted form back keeps the stored keys. Same
 * context as {@link AdminApiTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class ServerSecretsTest {
    private static final String TOKEN = "gha_server-secrets-test-0123456789abcdefghijklmnop";
    private static final String KEY = "sk-live-4f9a8b7c6d5e";

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    @Autowired CatalogService catalog;
    AdminClient admin;

    @BeforeEach
    void client() {
        adminTokens.ensure(TOKEN, "server-secrets-test");
        admin = new AdminClient("http://localhost:" + port, TOKEN);
    }

    @Test
    void urlQueryValuesAndPasswordsAreRedactedAndARoundTripKeepsThem() {
        String url = "https://bob:" + KEY + "@mcp.example.com:8443/v1/mcp?api_key=" + KEY + "&region=eu#" + KEY;
        JsonNode created = admin.expect(201, "POST", "/servers", Map.of("name", unique("keyed-url"), "url", url));
        String id = created.path("id").asString();

        String shown = "https://bob:<redacted>@mcp.example.com:8443/v1/mcp?api_key=<redacted>&region=<redacted>#<redacted>";
        assertThat(created.path("url").asString()).isEqualTo(shown);
        assertThat(admin.expect(200, "GET", "/servers/" + id, null).path("url").asString()).isEqualTo(shown);
        assertThat(admin.send("GET", "/servers", null).text()).doesNotContain(KEY);
        assertThat(admin.expect(200, "GET", "/admin-audit?limit=50", null).toString()).contains("keyed-url").doesNotContain(KEY);

        // A form that sends the server back as it was shown changes nothing.
        admin.expect(200, "PATCH", "/servers/" + id, Map.of("url", shown, "name", unique("renamed")));
        assertThat(catalog.server(id).url()).isEqualTo(url);
        // A real new URL replaces it.
        admin.expect(200, "PATCH", "/servers/" + id, Map.of("url", "https://mcp.example.com:8443/v2/mcp?api_key=new"));
        assertThat(catalog.server(id).url()).isEqualTo("https://mcp.example.com:8443/v2/mcp?api_key=new");
    }

    @Test
    void secretLookingCommandArgumentsAreRedactedAndARoundTripKeepsThem() {
        List<String> command = List.of("npx", "-y", "some-server", "--api-key=" + KEY, "--token", KEY, "GITHUB_TOKEN=" + KEY,
                "--endpoint", "https://api.example.com/?key=" + KEY, "--verbose", "stdio");
        JsonNode created = admin.expect(201, "POST", "/servers", Map.of("name", unique("keyed-cmd"), "transport", "stdio",
                "command", command));
        String id = created.path("id").asString();

        List<String> shown = List.of("npx", "-y", "some-server", "--api-key=<redacted>", "--token", "<redacted>",
                "GITHUB_TOKEN=<redacted>", "--endpoint", "https://api.example.com/?key=<redacted>", "--verbose", "stdio");
        assertThat(created.path("command").valueStream().map(JsonNode::asString).toList()).isEqualTo(shown);
        assertThat(admin.send("GET", "/servers/" + id, null).text()).doesNotContain(KEY);

        admin.expect(200, "PATCH", "/servers/" + id, Map.of("command", shown));
        assertThat(catalog.server(id).command()).isEqualTo(command);
    }
}
