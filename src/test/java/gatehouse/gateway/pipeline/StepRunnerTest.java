package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RelayScreen;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class StepRunnerTest {

    /** A step answering every hook with what {@code verdict} gives for the message it is shown. */
    private static Step step(String name, Function<ObjectNode, Verdict> verdict) {
        return new Step() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Verdict beforeRouting(Exchange exchange) {
                return verdict.apply(exchange.request());
            }

            @Override
            public Verdict beforeUpstream(Exchange exchange) {
                return verdict.apply(exchange.request());
            }

            @Override
            public Verdict afterUpstream(Exchange exchange) {
                return verdict.apply(exchange.response());
            }

            @Override
            public Verdict onRelay(Exchange exchange, Relayed message) {
                return verdict.apply(message.message());
            }
        };
    }

    private static StepRunner runner(Step... steps) {
        List<String> order = new ArrayList<>();
        for (Step s : steps) {
            order.add(s.name());
        }
        return new StepRunner(new PipelineSteps(List.of(steps), order));
    }

    private static Exchange exchange() {
        ObjectNode params = Json.object();
        params.put("name", "fx__echo");
        return new Exchange(System.nanoTime(), null, Exchange.Generation.SESSION, "tools/call", JsonRpc.request(7L, "tools/call", params));
    }

    @Test
    void whenEveryStepPassesTheMessagesAreTheSameObjectsAndNothingIsRecorded() {
        StepRunner runner = runner(step("a", m -> Verdict.pass()), step("b", m -> Verdict.pass()));
        Exchange x = exchange();
        ObjectNode request = x.request();
        ObjectNode notification = JsonRpc.notification("notifications/progress", Json.object());
        ArrayNode items = Json.array().add(Json.object().put("name", "t"));

        runner.beforeRouting(x);
        runner.beforeUpstream(x);
        x.response(JsonRpc.result(request.get("id"), Json.object()));
        ObjectNode response = x.response();
        runner.afterUpstream(x);

        assertThat(x.request()).isSameAs(request);
        assertThat(x.response()).isSameAs(response);
        assertThat(runner.screen(x).screen(RelayScreen.Flow.NOTIFICATION_TO_CLIENT, "s1", notification)).isSameAs(notification);
        assertThat(runner.listFilter(x).admit(null, null, "tools", items)).isSameAs(items);
        assertThat(x.decisions()).isEmpty();
    }

    @Test
    void noStepsMeansNoScreening() {
        StepRunner runner = runner();
        assertThat(runner.screen(exchange())).isSameAs(RelayScreen.NONE);
    }

    @Test
    void flagsAreRecordedInOrderAndTheMessageGoesOn() {
        StepRunner runner = runner(step("a", m -> Verdict.flag(Decision.of("a", "alert"))),
                step("b", m -> Verdict.flag(Decision.of("b", "hide"))));
        Exchange x = exchange();
        ObjectNode request = x.request();

        runner.beforeUpstream(x);

        assertThat(x.request()).isSameAs(request);
        assertThat(x.decisions()).extracting(Decision::step, Decision::action)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "alert"), org.assertj.core.groups.Tuple.tuple("b", "hide"));
    }

    @Test
    void aReplacementIsWhatLaterStepsAndTheUpstreamSee() {
        ObjectNode redacted = JsonRpc.request(7L, "tools/call", Json.object().put("name", "[redacted]"));
        List<ObjectNode> secondSaw = new ArrayList<>();
        StepRunner runner = runner(step("a", m -> Verdict.replace(redacted, Decision.of("a", "redact"))), step("b", m -> {
            secondSaw.add(m);
            return Verdict.pass();
        }));
        Exchange x = exchange();

        runner.beforeUpstream(x);

        assertThat(x.request()).isSameAs(redacted);
        assertThat(secondSaw).containsExactly(redacted);
        assertThat(x.decisions()).extracting(Decision::action).containsExactly("redact");
    }

    @Test
    void aDenialBeforeTheUpstreamStopsTheRequestWithItsErrorAndLaterStepsDoNotRun() {
        List<ObjectNode> secondSaw = new ArrayList<>();
        StepRunner runner = runner(step("a", m -> new Verdict.Deny(-32003, "not allowed", Json.object().put("rule", "r1"),
                List.of(Decision.of("a", "deny")))), step("b", m -> {
                    secondSaw.add(m);
                    return Verdict.pass();
                }));
        Exchange x = exchange();

        assertThatThrownBy(() -> runner.beforeRouting(x)).isInstanceOfSatisfying(StepDeniedException.class, e -> {
            assertThat(e.code()).isEqualTo(-32003);
            assertThat(e.getMessage()).isEqualTo("not allowed");
            assertThat(e.data().path("rule").asString()).isEqualTo("r1");
        });
        assertThat(secondSaw).isEmpty();
        assertThat(x.decisions()).extracting(Decision::action).containsExactly("deny");
    }

    @Test
    void aDenialAfterTheUpstreamTurnsTheResponseIntoTheErrorUnderTheRequestsId() {
        StepRunner runner = runner(step("a", m -> Verdict.deny(-32004, "withheld", Decision.of("a", "block"))));
        Exchange x = exchange();
        x.response(JsonRpc.result(x.request().get("id"), Json.object().put("secret", "s")));

        runner.afterUpstream(x);

        assertThat(x.response().path("id").asLong()).isEqualTo(7L);
        assertThat(x.response().path("error").path("code").asInt()).isEqualTo(-32004);
        assertThat(x.response().toString()).doesNotContain("secret");
        assertThat(x.status()).isEqualTo("denied");
    }

    @Test
    void aDeniedRelayedNotificationIsDroppedAndADeniedRequestIsAnsweredWithTheError() {
        StepRunner runner = runner(step("a", m -> Verdict.deny(-32005, "no")));
        Exchange x = exchange();
        RelayScreen screen = runner.screen(x);
        ObjectNode sampling = JsonRpc.request(41L, "sampling/createMessage", Json.object());
        ObjectNode answer = JsonRpc.result(Json.NODES.stringNode("gh-1"), Json.object());

        assertThat(screen.screen(RelayScreen.Flow.NOTIFICATION_TO_CLIENT, "s1", JsonRpc.notification("notifications/message", null))).isNull();
        assertThat(screen.screen(RelayScreen.Flow.STREAM_EVENT, null, JsonRpc.notification("notifications/tools/list_changed", null))).isNull();
        assertThat(screen.screen(RelayScreen.Flow.INPUT_RESPONSE, "s1", Json.object())).isNull();
        ObjectNode refused = screen.screen(RelayScreen.Flow.SERVER_REQUEST, "s1", sampling);
        assertThat(JsonRpc.isResponse(refused)).isTrue();
        assertThat(refused.path("id").asLong()).isEqualTo(41L);
        assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32005);
        ObjectNode withheld = screen.screen(RelayScreen.Flow.CLIENT_ANSWER, "s1", answer);
        assertThat(withheld.path("error").path("message").asString()).isEqualTo("no");
        assertThat(JsonRpc.isResponse(screen.screen(RelayScreen.Flow.INPUT_REQUEST, "s1",
                Json.object().put("method", "elicitation/create")))).isTrue();
    }

    @Test
    void eachFlowReachesTheStepsAsItsKindAndDirection() {
        List<Relayed> seen = new ArrayList<>();
        Step recorder = new Step() {
            @Override
            public String name() {
                return "r";
            }

            @Override
            public Verdict onRelay(Exchange exchange, Relayed message) {
                seen.add(message);
                return Verdict.pass();
            }
        };
        RelayScreen screen = runner(recorder).screen(exchange());
        for (RelayScreen.Flow flow : RelayScreen.Flow.values()) {
            screen.screen(flow, "srv", Json.object());
        }

        assertThat(seen).extracting(Relayed::kind, Relayed::direction).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Relayed.Kind.SERVER_REQUEST, Relayed.Direction.TO_CLIENT),
                org.assertj.core.groups.Tuple.tuple(Relayed.Kind.CLIENT_ANSWER, Relayed.Direction.TO_UPSTREAM),
                org.assertj.core.groups.Tuple.tuple(Relayed.Kind.NOTIFICATION, Relayed.Direction.TO_CLIENT),
                org.assertj.core.groups.Tuple.tuple(Relayed.Kind.NOTIFICATION, Relayed.Direction.TO_UPSTREAM),
                org.assertj.core.groups.Tuple.tuple(Relayed.Kind.STREAM_EVENT, Relayed.Direction.TO_CLIENT),
                org.assertj.core.groups.Tuple.tuple(Relayed.Kind.INPUT_REQUEST, Relayed.Direction.TO_CLIENT),
                org.assertj.core.groups.Tuple.tuple(Relayed.Kind.INPUT_RESPONSE, Relayed.Direction.TO_UPSTREAM));
        assertThat(seen).extracting(Relayed::serverId).containsOnly("srv");
    }

    @Test
    void listFiltersChainAndAFailingCompletionHookDoesNotStopTheOthers() {
        List<String> completed = new ArrayList<>();
        Step hider = new Step() {
            @Override
            public String name() {
                return "hide";
            }

            @Override
            public ArrayNode onList(Exchange exchange, ListPart part) {
                ArrayNode out = Json.array();
                part.items().forEach(i -> {
                    if (!i.path("name").asString().startsWith("secret")) {
                        out.add(i);
                    }
                });
                return out;
            }

            @Override
            public void onComplete(Exchange exchange) {
                throw new IllegalStateException("broken");
            }
        };
        Step audit = new Step() {
            @Override
            public String name() {
                return "audit";
            }

            @Override
            public void onComplete(Exchange exchange) {
                completed.add(exchange.method());
            }
        };
        StepRunner runner = runner(hider, audit);
        Exchange x = exchange();
        ArrayNode items = Json.array().add(Json.object().put("name", "secret_tool")).add(Json.object().put("name", "echo"));

        assertThat(runner.listFilter(x).admit(null, null, "tools", items)).extracting(i -> i.path("name").asString())
                .containsExactly("echo");
        runner.complete(x);
        assertThat(completed).containsExactly("tools/call");
    }

    @Test
    void stepsRunInTheOrderPipelineStepsGivesAndAnUnplacedStepFailsStartUp() {
        Step audit = step("audit", m -> Verdict.pass());
        Step access = step("access", m -> Verdict.pass());
        assertThat(new PipelineSteps(List.of(audit, access)).all()).containsExactly(access, audit);
        assertThatThrownBy(() -> new PipelineSteps(List.of(step("mystery", m -> Verdict.pass()))))
                .hasMessageContaining("mystery");
    }
}
