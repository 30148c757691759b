package gatehouse.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.policy.rules.RuleSpec.Flow;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Presidio connector against a real Presidio Analyzer (PyPI, small spaCy model) on loopback:
 * entities and offsets (code points converted to Java offsets), one call per message for several
 * strings, the cache, the rule's entities, threshold and allow list, and the failure modes.
 */
class PresidioDetectorTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static PresidioDetector detector(List<String> entities, Double minScore, List<String> allow) {
        return new PresidioDetector(PresidioService.url(), entities, minScore, allow, Duration.ofSeconds(20));
    }

    private static List<String> spans(String text, List<Finding> found) {
        return found.stream().map(f -> f.entity() + "=" + text.substring(f.start(), f.end())).toList();
    }

    @Test
    void findsEntitiesAtJavaOffsetsEvenAfterCharactersOutsideTheBasicPlane() {
        String text = "\uD83D\uDE00\uD83D\uDE00 write to ann.lee@example.com or call about card 4111 1111 1111 1111";
        List<Finding> found = detector(List.of("EMAIL_ADDRESS", "CREDIT_CARD"), null, List.of()).detect(List.of(text), Flow.REQUEST)
                .findings().getFirst();
        assertThat(spans(text, found)).contains("EMAIL_ADDRESS=ann.lee@example.com", "CREDIT_CARD=4111 1111 1111 1111");
    }

    @Test
    void severalStringsGoInOneCallAndComeBackToTheirOwnString() {
        List<String> texts = List.of("nothing here", "mail bob@example.org", "\u00e9\u00e8 and 536-22-8726 here");
        Detector.Detection d = detector(List.of("EMAIL_ADDRESS", "US_SSN"), 0.3, List.of()).detect(texts, Flow.RESPONSE);
        assertThat(d.findings().get(0)).isEmpty();
        assertThat(spans(texts.get(1), d.findings().get(1))).containsExactly("EMAIL_ADDRESS=bob@example.org");
        assertThat(d.findings().get(2)).allSatisfy(f -> assertThat(texts.get(2).substring(f.start(), f.end())).isEqualTo("536-22-8726"));
    }

    @Test
    void theSameContentIsAnsweredFromTheCache() {
        PresidioDetector p = detector(List.of("EMAIL_ADDRESS"), null, List.of());
        List<Finding> first = p.analyze("cache me: carol@example.com");
        assertThat(p.analyze("cache me: carol@example.com")).isSameAs(first);
    }

    @Test
    void theAllowListAndThresholdAreHonoured() {
        String text = "ops@example.com and dan@example.com";
        List<Finding> found = detector(List.of("EMAIL_ADDRESS"), null, List.of("ops@example.com")).detect(List.of(text), Flow.REQUEST)
                .findings().getFirst();
        assertThat(spans(text, found)).containsExactly("EMAIL_ADDRESS=dan@example.com");
        String weak = "my number might be 12345678901";
        assertThat(detector(List.of("US_BANK_NUMBER"), 0.9, List.of()).detect(List.of(weak), Flow.REQUEST).findings().getFirst()).isEmpty();
    }

    @Test
    void aPresidioRuleRedactsThroughTheEngine() {
        RuleInput in = new RuleInput("presidio-names", "presidio", null, List.of("PERSON"), 0.5, null, PresidioService.url(), "replace",
                null, null, null, null, null, null, null, 20_000, null, null, null);
        CompiledRule rule = Rules.compile(in.toSpec("rul_p", "gw", java.time.Instant.now(), java.time.Instant.now()));
        ObjectNode msg = (ObjectNode) Json.tree("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\","
                + "\"text\":\"The ticket was opened by John Smith yesterday.\"}]}}");
        RuleEngine.Outcome o = RuleEngine.evaluate(List.of(rule), Flow.RESPONSE, msg, new byte[32]);
        assertThat(o).isInstanceOf(RuleEngine.Outcome.Changed.class);
        assertThat(((RuleEngine.Outcome.Changed) o).message().at("/result/content/0/text").stringValue())
                .isEqualTo("The ticket was opened by <PERSON> yesterday.");
    }

    @Test
    void aServiceThatIsDownFailsFast() {
        PresidioDetector down = new PresidioDetector(gatehouse.testing.RefusedPort.url(""), List.of(), null, List.of(), Duration.ofSeconds(2));
        assertThatThrownBy(() -> down.detect(List.of("x"), Flow.REQUEST)).isInstanceOf(DetectorException.class).hasMessageContaining("unreachable");
    }

    @Test
    void aHangingServiceIsCutAtTheTimeout() {
        // a fault the real Presidio cannot be made to show on demand: a service that never answers
        try (LocalHttpService hang = new LocalHttpService(body -> null)) {
            PresidioDetector slow = new PresidioDetector(hang.url(), List.of(), null, List.of(), Duration.ofMillis(300));
            assertThatThrownBy(() -> slow.detect(List.of("x"), Flow.REQUEST)).isInstanceOf(DetectorException.class)
                    .hasMessageContaining("did not answer within 300 ms");
        }
    }

    @Test
    void garbageIsAnErrorNotAFinding() {
        for (String garbage : List.of("<html>oops</html>", "{\"results\":[]}", "[{\"entity_type\":\"X\",\"start\":0,\"end\":99,\"score\":1}]")) {
            try (LocalHttpService bad = new LocalHttpService(body -> new LocalHttpService.Answer(200, garbage))) {
                PresidioDetector p = new PresidioDetector(bad.url(), List.of(), null, List.of(), Duration.ofSeconds(2));
                assertThatThrownBy(() -> p.detect(List.of("short"), Flow.REQUEST)).isInstanceOf(DetectorException.class)
                        .hasMessageNotContaining("short");
            }
        }
    }
}
