package gatehouse.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.policy.rules.RuleEngine.Outcome;
import gatehouse.policy.rules.RuleSpec.Flow;
import tools.jackson.databind.node.ObjectNode;

/** What rules read in a message, what each action does to it, and how modes and failures behave. */
class RuleEngineTest {
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

    static RuleInput input(String type, String action) {
        return new RuleInput("r-" + type + "-" + action, type, null, null, null, null, null, action, null, null, null, null, null, null,
                null, null, null, null, null);
    }

    static CompiledRule rule(RuleInput in) {
        return Rules.compile(in.toSpec("rul_" + in.name(), "gw", Instant.now(), Instant.now()));
    }

    static CompiledRule regex(String action, String... patterns) {
        RuleInput base = input("regex", action);
        return rule(base.merge(new RuleInput(null, null, List.of(patterns), null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null)));
    }

    static CompiledRule pii(String action, String... entities) {
        RuleInput base = input("pii", action);
        return rule(base.merge(new RuleInput(null, null, null, List.of(entities), null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null)));
    }

    static ObjectNode call(String json) {
        return (ObjectNode) Json.tree("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"send_mail\","
                + "\"arguments\":" + json + ",\"_meta\":{\"note\":\"bob@example.com\"}}}");
    }

    static ObjectNode result(String json) {
        return (ObjectNode) Json.tree("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":" + json + "}");
    }

    @Test
    void readsNestedArgumentsButNotTheEnvelopeMetaOrToolName() {
        MessageTexts.Texts t = MessageTexts.of(call("{\"to\":\"ann@example.com\",\"cc\":[{\"addr\":\"x\"}],\"n\":3}"));
        assertThat(t.strings()).containsExactly("ann@example.com", "x");
        assertThat(t.slots()).extracting(MessageTexts.Slot::path).containsExactly("/params/arguments/to", "/params/arguments/cc/0/addr");
    }

    @Test
    void readsResultTextStructuredContentAndEmbeddedResourcesButNotBinary() {
        ObjectNode r = result("{\"content\":[{\"type\":\"text\",\"text\":\"hello\"},{\"type\":\"image\",\"data\":\"AAAA\",\"mimeType\":\"image/png\"},"
                + "{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///a\",\"mimeType\":\"text/plain\",\"text\":\"inside\"}},"
                + "{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///b\",\"blob\":\"AAAA\"}}],"
                + "\"structuredContent\":{\"type\":\"person\",\"email\":\"z@example.org\"}}");
        MessageTexts.Texts t = MessageTexts.of(r);
        assertThat(t.strings()).containsExactly("hello", "inside", "person", "z@example.org");
        assertThat(t.binaryItems()).isEqualTo(2);
    }

    @Test
    void readsSamplingAndElicitationPayloads() {
        ObjectNode sampling = (ObjectNode) Json.tree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sampling/createMessage\",\"params\":{"
                + "\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"summarise 536-22-8726\"}}],"
                + "\"systemPrompt\":\"be brief\",\"maxTokens\":10}}");
        assertThat(MessageTexts.of(sampling).strings()).containsExactly("summarise 536-22-8726", "be brief");
        ObjectNode elicitAnswer = result("{\"action\":\"accept\",\"content\":{\"email\":\"q@example.com\",\"name\":\"x\"}}");
        assertThat(MessageTexts.of(elicitAnswer).strings()).containsExactly("q@example.com", "x");
    }

    /**
     * A rewrite is a new message: the one given (whose result may go to a client as the bytes it
     * arrived in, or be a list answer kept for reuse) is never changed, not even deep inside.
     */
    @Test
    void aRewriteNeverChangesTheMessageItWasGiven() {
        ObjectNode given = result("{\"content\":[{\"type\":\"text\",\"text\":\"mail ann@example.com\"}],"
                + "\"structuredContent\":{\"to\":[\"bob@example.com\"]}}");
        ObjectNode before = given.deepCopy();
        Outcome o = RuleEngine.evaluate(List.of(pii("replace", "EMAIL_ADDRESS")), Flow.RESPONSE, given, KEY);
        ObjectNode changed = ((Outcome.Changed) o).message();
        assertThat(changed.toString()).doesNotContain("@example.com");
        assertThat(given).isEqualTo(before);
        assertThat(changed).isNotSameAs(given);
        assertThat(changed.get("result")).isNotSameAs(given.get("result"));
    }

    @Test
    void blockStopsTheMessageAndRecordsNoValue() {
        Outcome o = RuleEngine.evaluate(List.of(pii("block", "EMAIL_ADDRESS")), Flow.REQUEST, call("{\"to\":\"ann@example.com\"}"), KEY);
        assertThat(o).isInstanceOf(Outcome.Blocked.class);
        assertThat(o.hits()).singleElement().satisfies(h -> {
            assertThat(h.details()).containsEntry("entity", "EMAIL_ADDRESS").containsEntry("path", "/params/arguments/to")
                    .containsEntry("start", 0).containsEntry("end", 15);
            assertThat(h.details().values()).noneMatch(v -> String.valueOf(v).contains("ann@"));
        });
    }

    @Test
    void eachActionChangesOnlyTheFoundText() {
        String args = "{\"note\":\"mail ann@example.com now\"}";
        assertThat(text(RuleEngine.evaluate(List.of(pii("redact", "EMAIL_ADDRESS")), Flow.REQUEST, call(args), KEY))).isEqualTo("mail  now");
        assertThat(text(RuleEngine.evaluate(List.of(pii("replace", "EMAIL_ADDRESS")), Flow.REQUEST, call(args), KEY)))
                .isEqualTo("mail <EMAIL_ADDRESS> now");
        assertThat(text(RuleEngine.evaluate(List.of(pii("mask", "EMAIL_ADDRESS")), Flow.REQUEST, call(args), KEY)))
                .isEqualTo("mail ***@*******.*** now");
        String hashed = text(RuleEngine.evaluate(List.of(pii("hash", "EMAIL_ADDRESS")), Flow.REQUEST, call(args), KEY));
        assertThat(hashed).matches("mail [0-9a-f]{64} now").isEqualTo(
                text(RuleEngine.evaluate(List.of(pii("hash", "EMAIL_ADDRESS")), Flow.REQUEST, call(args), KEY)));
        assertThat(Transform.hash("ann@example.com", KEY)).isNotEqualTo(Transform.hash("ann@example.com", "another-key-another-key-another!".getBytes()));
    }

    @Test
    void maskKeepsShapeAndHonoursCountAndEnd() {
        assertThat(Transform.mask("4111 1111 1111 1234", '#', 12, false)).isEqualTo("#### #### #### 1234");
        assertThat(Transform.mask("4111-1111", 'x', 2, true)).isEqualTo("4111-11xx");
    }

    @Test
    void theOriginalMessageIsNotChangedAndJsonStaysValid() {
        ObjectNode msg = call("{\"note\":\"quote \\\" ann@example.com\"}");
        Outcome o = RuleEngine.evaluate(List.of(pii("replace", "EMAIL_ADDRESS")), Flow.REQUEST, msg, KEY);
        assertThat(msg.at("/params/arguments/note").stringValue()).contains("ann@example.com");
        ObjectNode changed = ((Outcome.Changed) o).message();
        assertThat(Json.tree(Json.string(changed)).at("/params/arguments/note").stringValue()).isEqualTo("quote \" <EMAIL_ADDRESS>");
        assertThat(changed.at("/params/_meta/note").stringValue()).isEqualTo("bob@example.com");
    }

    @Test
    void alertOnlyReportsWithoutChanging() {
        RuleInput in = input("pii", "block").merge(new RuleInput(null, null, null, List.of("EMAIL_ADDRESS"), null, null, null, null, null,
                null, null, null, null, "alert-only", null, null, null, null, null));
        Outcome o = RuleEngine.evaluate(List.of(rule(in)), Flow.REQUEST, call("{\"to\":\"ann@example.com\"}"), KEY);
        assertThat(o).isInstanceOf(Outcome.Unchanged.class);
        assertThat(o.hits()).singleElement().satisfies(h -> {
            assertThat(h.action()).isEqualTo("alert");
            assertThat(h.enforced()).isFalse();
        });
    }

    @Test
    void directionLimitsWhereARuleApplies() {
        RuleInput in = input("pii", "block").merge(new RuleInput(null, null, null, List.of("EMAIL_ADDRESS"), null, null, null, null, null,
                null, null, null, "response", null, null, null, null, null, null));
        assertThat(RuleEngine.evaluate(List.of(rule(in)), Flow.REQUEST, call("{\"to\":\"ann@example.com\"}"), KEY)).isInstanceOf(Outcome.Unchanged.class);
        assertThat(RuleEngine.evaluate(List.of(rule(in)), Flow.RESPONSE,
                result("{\"content\":[{\"type\":\"text\",\"text\":\"ann@example.com\"}]}"), KEY)).isInstanceOf(Outcome.Blocked.class);
    }

    @Test
    void binaryIsPassedOrBlockedByPolicy() {
        ObjectNode img = result("{\"content\":[{\"type\":\"image\",\"data\":\"AAAA\",\"mimeType\":\"image/png\"}]}");
        assertThat(RuleEngine.evaluate(List.of(regex("block", "secret")), Flow.RESPONSE, img, KEY)).isInstanceOf(Outcome.Unchanged.class);
        RuleInput strict = input("regex", "block").merge(new RuleInput(null, null, List.of("secret"), null, null, null, null, null, null,
                null, null, null, null, null, null, null, "block", null, null));
        assertThat(RuleEngine.evaluate(List.of(rule(strict)), Flow.RESPONSE, img, KEY)).isInstanceOf(Outcome.Blocked.class);
    }

    @Test
    void overlappingEditsOfTwoRulesResolveToTheStrongest() {
        ObjectNode msg = call("{\"note\":\"id 536-22-8726 end\"}");
        Outcome o = RuleEngine.evaluate(List.of(regex("replace", "\\d{3}-\\d{2}"), pii("replace", "US_SSN")), Flow.REQUEST, msg, KEY);
        // both score 1.0? the regex finding is 1.0 and shorter; the SSN finding 0.5: the regex wins the overlap
        assertThat(text(o)).isEqualTo("id <REGEX>-8726 end");
    }

    @Test
    void aFailingEngineFollowsItsFailureMode() {
        RuleInput open = new RuleInput("hook", "webhook", null, null, null, null, gatehouse.testing.RefusedPort.url("/unreachable"), "block", null, null, null,
                null, null, null, "open", 500, null, null, null);
        RuleInput closed = open.merge(new RuleInput(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                "closed", null, null, null, null));
        ObjectNode msg = call("{\"to\":\"x\"}");
        Outcome o1 = RuleEngine.evaluate(List.of(rule(open)), Flow.REQUEST, msg, KEY);
        assertThat(o1).isInstanceOf(Outcome.Unchanged.class);
        assertThat(o1.hits()).singleElement().satisfies(h -> assertThat(h.error()).contains("DLP webhook"));
        assertThat(RuleEngine.evaluate(List.of(rule(closed)), Flow.REQUEST, msg, KEY)).isInstanceOf(Outcome.Blocked.class);
    }

    private static String text(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Changed.class);
        return ((Outcome.Changed) o).message().at("/params/arguments/note").stringValue();
    }
}
