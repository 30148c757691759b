package gatehouse.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.platform.Json;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1/admin-tokens} over HTTP: create, use, list (names and last use, never a secret),
 * revoke; and the words of a refusal. Same context as {@link AdminApiTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class AdminTokensApiTest {
    private static final String ADMIN_TOKEN = "gha_admin-tokens-api-test-0123456789abcdefghijklmnop";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;

    @BeforeEach
    void adminToken() {
        adminTokens.ensure(ADMIN_TOKEN, "admin-tokens-api-test");
    }

    private HttpResponse<String> call(String method, String path, String body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1" + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCreatedTokenWorksIsListedWithItsLastUseAndStopsWorkingWhenRevoked() throws Exception {
        HttpResponse<String> created = call("POST", "/admin-tokens", "{\"name\":\"ci-deploy\"}", ADMIN_TOKEN);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode c = Json.tree(created.body());
        String id = c.path("id").asString();
        String secret = c.path("token").asString();
        assertThat(id).startsWith("adt_");
        assertThat(secret).startsWith("gha_").hasSizeGreaterThanOrEqualTo(AdminTokens.MIN_LENGTH);
        assertThat(c.path("name").asString()).isEqualTo("ci-deploy");

        assertThat(call("GET", "/servers", null, secret).statusCode()).isEqualTo(200);

        HttpResponse<String> list = call("GET", "/admin-tokens", null, ADMIN_TOKEN);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(secret).doesNotContain(ADMIN_TOKEN);
        JsonNode mine = null;
        for (JsonNode t : Json.tree(list.body())) {
            if (t.path("id").asString().equals(id)) {
                mine = t;
            }
        }
        assertThat(mine).as("the new token in %s", list.body()).isNotNull();
        assertThat(mine.path("name").asString()).isEqualTo("ci-deploy");
        assertThat(mine.path("active").asBoolean()).isTrue();
        assertThat(mine.path("createdAt").asString()).isNotBlank();
        assertThat(mine.path("lastUsedAt").asString()).as("used once for GET /servers").isNotBlank();
        assertThat(mine.has("token")).isFalse();

        assertThat(call("DELETE", "/admin-tokens/" + id, null, ADMIN_TOKEN).statusCode()).isEqualTo(204);
        HttpResponse<String> refused = call("GET", "/servers", null, secret);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(Json.tree(refused.body()).path("detail").asString()).startsWith("invalid admin token");
        JsonNode after = Json.tree(call("GET", "/admin-tokens/" + id, null, ADMIN_TOKEN).body());
        assertThat(after.path("active").asBoolean()).isFalse();
        assertThat(after.path("revokedAt").asString()).isNotBlank();
    }

    @Test
    void aMissingTokenAndAWrongTokenAreToldApart() throws Exception {
        HttpResponse<String> missing = call("GET", "/servers", null, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(Json.tree(missing.body()).path("detail").asString()).startsWith("an admin token is required");
        assertThat(missing.body()).endsWith("}\n");

        HttpResponse<String> wrong = call("GET", "/servers", null, ADMIN_TOKEN + "-wrong");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(Json.tree(wrong.body()).path("detail").asString()).startsWith("invalid admin token");
        assertThat(wrong.body()).doesNotContain(ADMIN_TOKEN);
    }

    @Test
    void aTokenNeedsAName() throws Exception {
        HttpResponse<String> noName = call("POST", "/admin-tokens", "{}", ADMIN_TOKEN);
        assertThat(noName.statusCode()).isEqualTo(400);
        assertThat(Json.tree(noName.body()).path("field").asString()).isEqualTo("name");
        HttpResponse<String> noBody = call("POST", "/admin-tokens", null, ADMIN_TOKEN);
        assertThat(noBody.statusCode()).as(noBody.body()).isEqualTo(400);
        assertThat(call("DELETE", "/admin-tokens/adt_doesnotexist", null, ADMIN_TOKEN).statusCode()).isEqualTo(404);
    }
}
