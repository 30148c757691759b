package gatehouse.gateway.steps;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.alerts.AlertService;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.PipelineSteps;
import gatehouse.gateway.pipeline.Relayed;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.platform.Json;
import gatehouse.policy.rules.RuleInput;
import gatehouse.policy.rules.store.RuleService;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.node.ObjectNode;

/**
 * The rules step on real stored rules (H2), called at each hook as the pipeline calls it: a
 * request blocked before the upstream, a result redacted, relayed sampling and elicitation
 * messages judged by the way they travel, alert-only rules raising an alert without touching
 * traffic, and decisions that never carry the matched value.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class RulesStepTest {
    @Autowired RuleService rules;
    @Autowired RulesStep step;
    @Autowired PipelineSteps steps;
    @Autowired CatalogService catalog;
    @Autowired AlertService alerts;
    GatewayDef gateway;

    @BeforeEach
    void gateway() {
        gateway = catalog.createGateway(unique("step-gw"));
    }

    static RuleInput rule(String name, String type, List<String> entities, List<String> patterns, String action, String direction, String mode) {
        return new RuleInput(name, type, patterns, entities, null, null, null, action, null, null, null, null, direction, mode, null, null,
                null, null, null);
    }

    private Exchange exchange(String method, ObjectNode request) {
        Connection c = new Connection("con_" + unique("x"), gateway.id(), "hst_x", null, true, "hash", Instant.now());
        return new Exchange(System.nanoTime(), new Exchange.Caller(c, gateway, catalog.snapshot()), Exchange.Generation.SESSION, method, request);
    }

    private static ObjectNode json(String s) {
        return (ObjectNode) Json.tree(s);
    }

    @Test
    void isAPipelineStepInItsPlace() {
        assertThat(steps.all()).contains(step);
        assertThat(step.name()).isEqualTo("rules");
    }

    @Test
    void aBlockedRequestNeverGoesUpstreamAndTheErrorLeaksNothing() {
        rules.create(gateway.id(), rule("ssn", "pii", List.of("US_SSN"), null, "block", "request", "enforce"));
        Exchange ex = exchange("tools/call", json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"my ssn is 536-22-8726\"}}}"));
        Verdict v = step.beforeUpstream(ex);
        assertThat(v).isInstanceOf(Verdict.Deny.class);
        Verdict.Deny d = (Verdict.Deny) v;
        assertThat(d.message()).doesNotContain("536").doesNotContain("SSN");
        assertThat(d.decisions()).singleElement().satisfies(dec -> {
            assertThat(dec.step()).isEqualTo("rules");
            assertThat(dec.details()).containsEntry("entity", "US_SSN").containsEntry("path", "/params/arguments/message");
            assertThat(dec.details().toString()).doesNotContain("536-22-8726");
        });
    }

    @Test
    void aResultIsRedactedBeforeTheClientSeesIt() {
        rules.create(gateway.id(), rule("mails", "pii", List.of("EMAIL_ADDRESS"), null, "replace", "response", "enforce"));
        Exchange ex = exchange("tools/call", json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"ann@example.com\"}}}"));
        assertThat(step.beforeUpstream(ex)).isInstanceOf(Verdict.Pass.class);
        ex.response(json("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"Echo: ann@example.com\"}],"
                + "\"structuredContent\":{\"to\":\"ann@example.com\"}}}"));
        Verdict v = step.afterUpstream(ex);
        assertThat(v).isInstanceOf(Verdict.Replace.class);
        ObjectNode out = ((Verdict.Replace) v).message();
        assertThat(out.at("/result/content/0/text").stringValue()).isEqualTo("Echo: <EMAIL_ADDRESS>");
        assertThat(out.at("/result/structuredContent/to").stringValue()).isEqualTo("<EMAIL_ADDRESS>");
        assertThat(out.at("/id").intValue()).isEqualTo(1);
    }

    @Test
    void relayedMessagesAreJudgedByTheWayTheyTravel() {
        rules.create(gateway.id(), rule("cards-out", "pii", List.of("CREDIT_CARD"), null, "mask", "response", "enforce"));
        rules.create(gateway.id(), rule("no-secrets-in", "regex", null, List.of("topsecret-[0-9]+"), "block", "request", "enforce"));
        Exchange ex = exchange("tools/call", json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}"));
        ObjectNode sampling = json("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"sampling/createMessage\",\"params\":{\"messages\":[{\"role\":\"user\","
                + "\"content\":{\"type\":\"text\",\"text\":\"card 4111 1111 1111 1111\"}}],\"maxTokens\":5}}");
        Verdict toClient = step.onRelay(ex, new Relayed(Relayed.Direction.TO_CLIENT, Relayed.Kind.SERVER_REQUEST, "srv", sampling));
        assertThat(toClient).isInstanceOf(Verdict.Replace.class);
        assertThat(((Verdict.Replace) toClient).message().at("/params/messages/0/content/text").stringValue()).isEqualTo("card **** **** **** ****");
        ObjectNode elicitAnswer = json("{\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{\"action\":\"accept\",\"content\":{\"code\":\"topsecret-42\"}}}");
        Verdict toUpstream = step.onRelay(ex, new Relayed(Relayed.Direction.TO_UPSTREAM, Relayed.Kind.CLIENT_ANSWER, "srv", elicitAnswer));
        assertThat(toUpstream).isInstanceOf(Verdict.Deny.class);
        // the same card travelling toward the upstream is not this rule's business
        Verdict cardIn = step.onRelay(ex, new Relayed(Relayed.Direction.TO_UPSTREAM, Relayed.Kind.CLIENT_ANSWER, "srv",
                json("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"action\":\"accept\",\"content\":{\"card\":\"4111 1111 1111 1111\"}}}")));
        assertThat(cardIn).isInstanceOf(Verdict.Pass.class);
    }

    @Test
    void alertOnlyFlagsAndRaisesAnAlertWithoutChangingTraffic() {
        rules.create(gateway.id(), rule("watch-ips", "pii", List.of("IP_ADDRESS"), null, "block", "both", "alert-only"));
        Exchange ex = exchange("tools/call", json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"ping\","
                + "\"arguments\":{\"host\":\"10.20.30.40\"}}}"));
        Verdict v = step.beforeUpstream(ex);
        assertThat(v).isInstanceOf(Verdict.Flag.class);
        assertThat(v.decisions()).singleElement().satisfies(d -> assertThat(d.details()).containsEntry("mode", "alert-only"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(alerts.list(null, "rule-alert", gateway.id(), null, 10))
                .singleElement().satisfies(a -> {
                    assertThat(a.message()).contains("watch-ips").contains("IP_ADDRESS").doesNotContain("10.20.30.40");
                }));
    }

    @Test
    void aGatewayWithoutRulesPasses() {
        Exchange ex = exchange("tools/call", json("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\","
                + "\"arguments\":{\"m\":\"ann@example.com 536-22-8726\"}}}"));
        assertThat(step.beforeUpstream(ex)).isInstanceOf(Verdict.Pass.class);
    }
}
