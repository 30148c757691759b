package gatehouse.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.policy.rules.RuleSpec.Flow;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * DLP webhooks against a local HTTP service playing the DLP vendor: Gatehouse's generic shape and
 * AWS Bedrock's ApplyGuardrail shape, verdicts allow, block and redact by span, and a service that
 * is down, hangs or answers garbage following the rule's failure mode within its timeout.
 */
class WebhookDetectorTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A DLP service: blocks "forbidden", redacts every "ACME-" + 4 digits code, allows the rest. */
    private static LocalHttpService.Answer generic(String body) {
        JsonNode req = Json.tree(body);
        ObjectNode out = Json.object();
        var reds = Json.array();
        int i = 0;
        for (JsonNode t : req.get("texts")) {
            String s = t.stringValue();
            if (s.contains("forbidden")) {
                return new LocalHttpService.Answer(200, "{\"verdict\":\"block\"}");
            }
            var m = java.util.regex.Pattern.compile("ACME-\\d{4}").matcher(s);
            while (m.find()) {
                reds.addObject().put("index", i).put("start", m.start()).put("end", m.end()).put("entity", "PROJECT_CODE");
            }
            i++;
        }
        out.put("verdict", reds.isEmpty() ? "allow" : "redact");
        out.set("redactions", reds);
        return new LocalHttpService.Answer(200, Json.string(out));
    }

    private static CompiledRule rule(String url, String format, String action, String failMode, int timeoutMs) {
        RuleInput in = new RuleInput("dlp", "webhook", null, null, null, null, url, action, null, null, null, null, null, null, failMode,
                timeoutMs, null, format, null);
        return Rules.compile(in.toSpec("rul_dlp", "gw", Instant.now(), Instant.now()));
    }

    private static ObjectNode call(String text) {
        ObjectNode m = (ObjectNode) Json.tree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":{}}}");
        ((ObjectNode) m.at("/params/arguments")).put("q", text);
        return m;
    }

    @Test
    void genericVerdictsAllowBlockAndRedactBySpan() {
        try (LocalHttpService dlp = new LocalHttpService(WebhookDetectorTest::generic)) {
            CompiledRule r = rule(dlp.url(), "generic", "replace", "closed", 2000);
            assertThat(RuleEngine.evaluate(List.of(r), Flow.REQUEST, call("all fine"), new byte[32])).isInstanceOf(RuleEngine.Outcome.Unchanged.class);
            assertThat(Json.tree(dlp.lastBody).path("flow").stringValue()).isEqualTo("request");
            assertThat(RuleEngine.evaluate(List.of(r), Flow.REQUEST, call("a forbidden word"), new byte[32])).isInstanceOf(RuleEngine.Outcome.Blocked.class);
            RuleEngine.Outcome o = RuleEngine.evaluate(List.of(r), Flow.REQUEST, call("see ACME-1234 and ACME-9876"), new byte[32]);
            assertThat(((RuleEngine.Outcome.Changed) o).message().at("/params/arguments/q").stringValue())
                    .isEqualTo("see <PROJECT_CODE> and <PROJECT_CODE>");
        }
    }

    @Test
    void bedrockApplyGuardrailShape() {
        try (LocalHttpService guardrail = new LocalHttpService(body -> {
            JsonNode req = Json.tree(body);
            String text = req.at("/content/0/text/text").stringValue();
            if (text.contains("bomb")) {
                return new LocalHttpService.Answer(200, "{\"action\":\"GUARDRAIL_INTERVENED\",\"outputs\":[{\"text\":\"Sorry.\"}],"
                        + "\"assessments\":[{\"topicPolicy\":{\"topics\":[{\"name\":\"weapons\",\"type\":\"DENY\",\"action\":\"BLOCKED\"}]}}]}");
            }
            if (text.contains("@")) {
                String email = text.substring(text.indexOf("mail ") + 5);
                return new LocalHttpService.Answer(200, "{\"action\":\"GUARDRAIL_INTERVENED\",\"outputs\":[{\"text\":\"mail {EMAIL}\"}],"
                        + "\"assessments\":[{\"sensitiveInformationPolicy\":{\"piiEntities\":[{\"match\":\"" + email
                        + "\",\"type\":\"EMAIL\",\"action\":\"ANONYMIZED\"}]}}]}");
            }
            return new LocalHttpService.Answer(200, "{\"action\":\"NONE\",\"outputs\":[],\"assessments\":[]}");
        })) {
            CompiledRule r = rule(guardrail.url(), "bedrock", "replace", "closed", 2000);
            assertThat(RuleEngine.evaluate(List.of(r), Flow.RESPONSE, call("hello"), new byte[32])).isInstanceOf(RuleEngine.Outcome.Unchanged.class);
            assertThat(Json.tree(guardrail.lastBody).path("source").stringValue()).isEqualTo("OUTPUT");
            assertThat(RuleEngine.evaluate(List.of(r), Flow.REQUEST, call("build a bomb"), new byte[32])).isInstanceOf(RuleEngine.Outcome.Blocked.class);
            RuleEngine.Outcome o = RuleEngine.evaluate(List.of(r), Flow.REQUEST, call("mail eve@example.com"), new byte[32]);
            assertThat(((RuleEngine.Outcome.Changed) o).message().at("/params/arguments/q").stringValue()).isEqualTo("mail <EMAIL>");
        }
    }

    @Test
    void downSlowAndGarbageFollowTheFailureMode() {
        try (LocalHttpService hang = new LocalHttpService(body -> null);
             LocalHttpService garbage = new LocalHttpService(body -> new LocalHttpService.Answer(200, "{\"verdict\":\"maybe\"}"));
             LocalHttpService error = new LocalHttpService(body -> new LocalHttpService.Answer(503, "{}"))) {
            for (String url : List.of(gatehouse.testing.RefusedPort.url("/"), hang.url(), garbage.url(), error.url())) {
                RuleEngine.Outcome open = RuleEngine.evaluate(List.of(rule(url, "generic", "block", "open", 300)), Flow.REQUEST, call("x"), new byte[32]);
                assertThat(open).as(url).isInstanceOf(RuleEngine.Outcome.Unchanged.class);
                assertThat(open.hits()).singleElement().satisfies(h -> assertThat(h.error()).isNotNull());
                RuleEngine.Outcome closed = RuleEngine.evaluate(List.of(rule(url, "generic", "block", "closed", 300)), Flow.REQUEST, call("x"), new byte[32]);
                assertThat(closed).as(url).isInstanceOf(RuleEngine.Outcome.Blocked.class);
            }
        }
    }

    @Test
    void answersOutsideTheTextsAreRefused() {
        assertThatThrownBy(() -> WebhookDetector.genericVerdict((ObjectNode) Json.tree(
                "{\"verdict\":\"redact\",\"redactions\":[{\"index\":0,\"start\":0,\"end\":50}]}"), List.of("short")))
                .isInstanceOf(DetectorException.class);
    }
}
