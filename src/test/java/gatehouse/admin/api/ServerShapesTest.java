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
import gatehouse.testing.AdminClient;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Server definitions as people copy them from other MCP clients are accepted, wrong shapes are
 * refused in the API's words (never a Java type name), and an assignment update changes only what
 * it names. Same context as {@link AdminApiTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class ServerShapesTest {
    private static final String TOKEN = "gha_server-shapes-test-0123456789abcdefghijklmnop";

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    AdminClient admin;

    @BeforeEach
    void client() {
        adminTokens.ensure(TOKEN, "server-shapes-test");
        admin = new AdminClient("http://localhost:" + port, TOKEN);
    }

    @Test
    void aCommandStringWithArgsAsInClaudeOrCursorConfigurationIsAccepted() {
        JsonNode s = admin.expect(201, "POST", "/servers", Map.of("name", unique("copied"), "command", "npx",
                "args", List.of("-y", "@modelcontextprotocol/server-everything", "stdio"), "env", Map.of("DEBUG", "1")));
        assertThat(s.path("transport").asString()).as("implied by command").isEqualTo("stdio");
        assertThat(s.path("command").toString()).isEqualTo("[\"npx\",\"-y\",\"@modelcontextprotocol/server-everything\",\"stdio\"]");

        JsonNode line = admin.expect(201, "POST", "/servers", Map.of("name", unique("line"), "transport", "stdio",
                "command", "uvx 'mcp server' --flag=\"a b\""));
        assertThat(line.path("command").toString()).isEqualTo("[\"uvx\",\"mcp server\",\"--flag=a b\"]");

        JsonNode http = admin.expect(201, "POST", "/servers", Map.of("name", unique("typed"), "type", "http",
                "url", "http://127.0.0.1:9/mcp"));
        assertThat(http.path("transport").asString()).isEqualTo("streamable-http");
    }

    @Test
    void wrongShapesAreRefusedWithTheExpectedShapeNeverAJavaTypeName() {
        record Case(Object body, String field, String words) {
        }
        for (Case c : List.of(
                new Case("{\"name\":\"x\",\"transport\":\"stdio\",\"command\":42}", "command", "\"command\": \"npx\" with \"args\""),
                new Case("{\"name\":\"x\",\"transport\":\"stdio\",\"command\":[\"npx\",{\"a\":1}]}", "command", "list of strings"),
                new Case("{\"name\":\"x\",\"transport\":\"stdio\",\"command\":[\"npx\",\"-y\"],\"args\":[\"pkg\"]}", "args", "beside a command"),
                new Case("{\"name\":\"x\",\"transport\":\"stdio\",\"args\":[\"pkg\"]}", "args", "beside a command"),
                new Case("{\"name\":\"x\",\"transport\":\"stdio\",\"command\":\"npx\",\"env\":{\"A\":{\"b\":1}}}", "env", "must be a string"),
                new Case("{\"name\":42,\"transport\":\"stdio\",\"command\":\"npx\"}", "name", "name must be a string"))) {
            AdminClient.Answer a = admin.send("POST", "/servers", c.body());
            assertThat(a.status()).as("%s → %s", c.body(), a.text()).isEqualTo(400);
            assertThat(a.body().path("field").asString()).as(a.text()).isEqualTo(c.field());
            assertThat(a.body().path("detail").asString()).as(a.text()).contains(c.words()).doesNotContain("java.", "Cannot deserialize");
        }
        AdminClient.Answer gateway = admin.send("POST", "/gateways", "{\"name\":[\"dev\"]}");
        assertThat(gateway.status()).isEqualTo(400);
        assertThat(gateway.body().path("detail").asString()).isEqualTo("name must be a string");
        assertThat(gateway.body().path("field").asString()).isEqualTo("name");
        AdminClient.Answer broken = admin.send("POST", "/gateways", "{\"name\":");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.text()).doesNotContain("java.", "tools.jackson");
    }

    @Test
    void anAssignmentUpdateChangesOnlyWhatItNamesAndNeedsABody() {
        String server = admin.expect(201, "POST", "/servers", Map.of("name", unique("assigned"), "type", "http",
                "url", "http://127.0.0.1:9/mcp")).path("id").asString();
        String gw = admin.createGateway(unique("put-gw"));
        admin.expect(200, "PUT", "/gateways/" + gw + "/servers/" + server, Map.of("identity", "shared", "prefix", "kept"));

        AdminClient.Answer noBody = admin.send("PUT", "/gateways/" + gw + "/servers/" + server, null);
        assertThat(noBody.status()).as(noBody.text()).isEqualTo(400);
        assertThat(noBody.body().path("detail").asString()).contains("a body is required");

        JsonNode changed = admin.expect(200, "PUT", "/gateways/" + gw + "/servers/" + server, Map.of("identity", "personal"));
        assertThat(changed.path("prefix").asString()).as("not named, not changed").isEqualTo("kept");
        assertThat(changed.path("identity").asString()).isEqualTo("personal");
        JsonNode empty = admin.expect(200, "PUT", "/gateways/" + gw + "/servers/" + server, Map.of());
        assertThat(empty.path("prefix").asString()).isEqualTo("kept");
        assertThat(empty.path("identity").asString()).isEqualTo("personal");
    }
}
