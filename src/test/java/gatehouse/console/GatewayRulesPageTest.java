package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The Rules tab over real HTTP: a gateway administrator creates, tests, edits and deletes rules of
 * their gateway with the same validation as the API; the live test box shows what the rules would
 * do; another gateway answers like a missing one; a person without {@code gateway.rules} is refused.
 */
class GatewayRulesPageTest extends ConsoleWorld {

    static Map<String, String> rule(String name, String... more) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("type", "regex");
        f.put("patterns", "ticket-\\d{4}");
        f.put("action", "replace");
        f.put("replacement", "[TICKET]");
        f.put("direction", "both");
        f.put("mode", "enforce");
        f.put("failMode", "open");
        f.put("binary", "pass");
        f.put("webhookFormat", "generic");
        f.put("enabled", "on");
        for (int i = 0; i < more.length; i += 2) {
            f.put(more[i], more[i + 1]);
        }
        return f;
    }

    @Test
    void aGatewayAdministratorManagesAndTestsRulesOfTheirGateway() {
        ConsoleSession dana = person("role_gateway_admin", gwA);
        String rules = "/console/gateways/" + gwA + "/rules";

        ConsoleSession.Page empty = dana.get(rules);
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.body()).contains("No rules yet", "aria-current=\"page\">Rules<");

        String name = HOSTILE + unique("r");
        ConsoleSession.Page created = dana.post(rules + "/new", rules, rule(name));
        assertThat(path(created)).isEqualTo(rules);
        JsonNode stored = admin.expect(200, "GET", "/gateways/" + gwA + "/rules", null).get(0);
        assertThat(stored.path("name").asString()).isEqualTo(name);
        assertThat(stored.path("patterns").get(0).asString()).isEqualTo("ticket-\\d{4}");
        assertThat(stored.path("replacement").asString()).isEqualTo("[TICKET]");
        String rid = stored.path("id").asString();

        String list = dana.get(rules).body();
        assertThat(list).contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");

        // the live test box: every stored rule, then the one rule, on a sample
        ConsoleSession.Page tested = dana.post(rules, rules + "/test", Map.of("text", "see ticket-1234 <b>now</b>", "ruleId", "", "flow", "request"));
        assertThat(tested.status()).isEqualTo(200);
        assertThat(tested.body()).contains("data-outcome", ">change<", "see [TICKET] &lt;b&gt;now&lt;/b&gt;", "ticket-1234")
                .doesNotContain("<b>now</b>").doesNotContain("<html");
        assertThat(dana.post(rules, rules + "/test", Map.of("text", "nothing here", "ruleId", rid, "flow", "response")).body())
                .contains(">pass<");

        // the form's own test box tries the rule as typed, before saving
        Map<String, String> draft = rule("", "patterns", "secret-[a-z]+", "action", "mask", "replacement", "");
        draft.put("sample", "the secret-abc is here");
        draft.put("flow", "request");
        assertThat(dana.post(rules + "/new", rules + "/draft-test", draft).body()).contains(">change<", "the ******-*** is here");
        Map<String, String> badDraft = rule("x", "patterns", "([a-z");
        badDraft.put("sample", "abc");
        assertThat(dana.post(rules + "/new", rules + "/draft-test", badDraft).body()).contains("flash error").contains("([a-z");

        // an invalid pattern: the form again, as typed, with the reason; nothing stored
        ConsoleSession.Page invalid = dana.post(rules + "/new", rules, rule("second", "patterns", "ok\n([a-z"));
        assertThat(invalid.status()).isEqualTo(200);
        assertThat(invalid.body()).contains("flash error", "([a-z", "value=\"second\"", "aria-invalid=\"true\"");
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/rules", null).size()).isEqualTo(1);

        // editing replaces every field: a cleared replacement goes back to the default, alert-only stops changing text
        ConsoleSession.Page edited = dana.post(rules + "/" + rid, rules + "/" + rid, rule(name, "replacement", "", "mode", "alert-only"));
        assertThat(path(edited)).isEqualTo(rules);
        JsonNode after = admin.expect(200, "GET", "/gateways/" + gwA + "/rules/" + rid, null);
        assertThat(after.path("replacement").isNull() || after.path("replacement").isMissingNode()).isTrue();
        assertThat(after.path("mode").asString()).isEqualTo("alert-only");
        assertThat(dana.post(rules, rules + "/test", Map.of("text", "ticket-9999", "flow", "request")).body()).contains(">alert<");

        ConsoleSession.Page deleted = dana.post(rules, rules + "/" + rid + "/delete", Map.of());
        assertThat(path(deleted)).isEqualTo(rules);
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/rules", null).size()).isZero();
    }

    @Test
    void anotherGatewayAnswersLikeAMissingOneAndReadersMayNotSeeRules() {
        admin.expect(201, "POST", "/gateways/" + gwB + "/rules", Map.of("name", "theirs", "type", "pii", "action", "redact"));
        ConsoleSession dana = person("role_gateway_admin", gwA);
        ConsoleSession.Page other = dana.get("/console/gateways/" + gwB + "/rules");
        ConsoleSession.Page missing = dana.get("/console/gateways/gw_doesnotexist/rules");
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.withoutTokens()).isEqualTo(missing.withoutTokens().replace("gw_doesnotexist", gwB));
        String mine = "/console/gateways/" + gwA + "/rules";
        assertThat(dana.post(mine, "/console/gateways/" + gwB + "/rules", rule("sneaky")).status()).isEqualTo(404);
        assertThat(dana.post(mine, "/console/gateways/" + gwB + "/rules/test", Map.of("text", "x")).status()).isEqualTo(404);
        assertThat(admin.expect(200, "GET", "/gateways/" + gwB + "/rules", null).size()).isEqualTo(1);

        ConsoleSession auditor = person("role_auditor", null);
        assertThat(auditor.get("/console/gateways/" + gwA).body()).doesNotContain("/rules\"");
        ConsoleSession.Page refused = auditor.get(mine);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("gateway.rules");
    }

    @Test
    void everyRuleFormNeedsItsCsrfToken() {
        ConsoleSession owner = person("role_owner", null);
        String rules = "/console/gateways/" + gwA + "/rules";
        assertThat(owner.postRaw(rules, rule("forged"), rules).status()).isEqualTo(403);
        assertThat(owner.postRaw(rules + "/test", Map.of("text", "x", "_csrf", "not-the-token"), rules).status()).isEqualTo(403);
        assertThat(admin.expect(200, "GET", "/gateways/" + gwA + "/rules", null).size()).isZero();
    }
}
