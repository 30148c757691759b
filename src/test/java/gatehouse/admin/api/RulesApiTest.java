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
 * The rules API over real HTTP: the ACCEPTANCE.md shape, refusals that name the field and the
 * pattern, the test endpoint, and the published view the data plane reads.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class RulesApiTest {
    private static final String TOKEN = "gha_rules-api-test-token-0123456789abcdefghijklmnopqrstuvwxyz";

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    AdminClient admin;
    String gid;

    @BeforeEach
    void setUp() {
        adminTokens.ensure(TOKEN, "rules-api-test");
        admin = new AdminClient("http://127.0.0.1:" + port, TOKEN);
        gid = admin.createGateway(unique("rules-gw"));
    }

    private JsonNode expect(int status, AdminClient.Answer a) {
        assertThat(a.status()).as("%s", a.body()).isEqualTo(status);
        return a.body();
    }

    @Test
    void createListReadChangeAndDeleteARule() {
        JsonNode created = expect(201, admin.send("POST", "/gateways/" + gid + "/rules", Map.of("name", "no-emails", "type", "pii",
                "entities", List.of("EMAIL_ADDRESS"), "action", "replace", "direction", "both", "mode", "enforce")));
        String rid = created.path("id").asString();
        assertThat(created.path("type").asString()).isEqualTo("pii");
        assertThat(created.path("action").asString()).isEqualTo("replace");
        assertThat(created.path("mode").asString()).isEqualTo("enforce");
        assertThat(expect(200, admin.send("GET", "/gateways/" + gid + "/rules", null))).extracting(n -> n.path("id").asString()).containsExactly(rid);
        JsonNode changed = expect(200, admin.send("PATCH", "/gateways/" + gid + "/rules/" + rid, Map.of("mode", "alert-only")));
        assertThat(changed.path("mode").asString()).isEqualTo("alert-only");
        assertThat(changed.path("entities").get(0).asString()).isEqualTo("EMAIL_ADDRESS");
        expect(204, admin.send("DELETE", "/gateways/" + gid + "/rules/" + rid, null));
        expect(404, admin.send("GET", "/gateways/" + gid + "/rules/" + rid, null));
    }

    @Test
    void anInvalidPatternIsRefusedNamingIt() {
        JsonNode p = expect(400, admin.send("POST", "/gateways/" + gid + "/rules", Map.of("name", "bad", "type", "regex",
                "patterns", List.of("fine", "broken(["), "action", "block")));
        assertThat(p.path("detail").asString()).contains("broken([");
        assertThat(p.toString()).contains("patterns[1]");
    }

    @Test
    void unknownEntitiesAndBadEnumsAreRefused() {
        JsonNode p = expect(400, admin.send("POST", "/gateways/" + gid + "/rules", Map.of("name", "bad", "type", "pii",
                "entities", List.of("SHOE_SIZE"), "action", "block")));
        assertThat(p.path("detail").asString()).contains("SHOE_SIZE");
        expect(400, admin.send("POST", "/gateways/" + gid + "/rules", Map.of("name", "bad", "type", "pii", "action", "explode")));
        expect(400, admin.send("POST", "/gateways/" + gid + "/rules", Map.of("name", "bad", "type", "webhook", "action", "block")));
    }

    @Test
    void aRuleOfAnUnknownGatewayIsNotFound() {
        expect(404, admin.send("POST", "/gateways/gw_missing/rules", Map.of("name", "x", "type", "pii", "action", "block")));
    }

    @Test
    void theTestEndpointSaysWhatTheRulesWouldDo() {
        String rid = expect(201, admin.send("POST", "/gateways/" + gid + "/rules", Map.of("name", "mask-cards", "type", "pii",
                "entities", List.of("CREDIT_CARD"), "action", "mask", "maskChar", "#", "maskCount", 12))).path("id").asString();
        JsonNode r = expect(200, admin.send("POST", "/gateways/" + gid + "/rules/test",
                Map.of("ruleId", rid, "text", "card 4111 1111 1111 1111 ok")));
        assertThat(r.path("outcome").asString()).isEqualTo("change");
        assertThat(r.path("text").asString()).isEqualTo("card #### #### #### 1111 ok");
        assertThat(r.path("findings").get(0).path("entity").asString()).isEqualTo("CREDIT_CARD");
        assertThat(r.path("findings").get(0).path("start").asInt()).isEqualTo(5);
        JsonNode none = expect(200, admin.send("POST", "/gateways/" + gid + "/rules/test", Map.of("text", "nothing to see")));
        assertThat(none.path("outcome").asString()).isEqualTo("pass");
    }

    @Test
    void aBlockRuleBlocksInTheTest() {
        expect(201, admin.send("POST", "/gateways/" + gid + "/rules", Map.of("name", "no-keys", "type", "regex",
                "patterns", List.of("sk-[A-Za-z0-9]{20,}"), "action", "block", "direction", "request")));
        JsonNode r = expect(200, admin.send("POST", "/gateways/" + gid + "/rules/test",
                Map.of("text", "use sk-abcdefghijklmnopqrstuvwxyz")));
        assertThat(r.path("outcome").asString()).isEqualTo("block");
        assertThat(r.toString()).doesNotContain("sk-abcdefghij");
    }
}
