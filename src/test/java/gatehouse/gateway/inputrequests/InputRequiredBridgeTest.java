package gatehouse.gateway.inputrequests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.gateway.pipeline.WireErrors;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.session.StatelessSessions;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bridge from a 2025 upstream's server-to-client requests to the rounds of a stateless client,
 * against the real conformance fixture (Java SDK, 2025-11-25) over Streamable HTTP. Two bridge
 * instances sharing a key stand for two replicas: a retry that lands on the one that did not park
 * the call is replayed there.
 */
class InputRequiredBridgeTest {
    private static final byte[] KEY = "an-hmac-key-shared-by-all-replicas!".getBytes();
    private static final ObjectNode ALL = (ObjectNode) Json.tree("{\"sampling\":{},\"elicitation\":{},\"roots\":{}}");

    private static RunningFixture fixture;
    private static Upstreams upstreams;
    private static UpstreamSession upstream;

    private final InputRequiredBridge replicaA = new InputRequiredBridge(new RequestStateSeal(KEY, Clock.systemUTC()), upstreams, new WireErrors());
    private final InputRequiredBridge replicaB = new InputRequiredBridge(new RequestStateSeal(KEY, Clock.systemUTC()), upstreams, new WireErrors());

    @BeforeAll
    static void start() {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        upstreams = new Upstreams(new GatehouseProperties("target/tmp/bridge-data", "http://localhost",
                new GatehouseProperties.Mcp(1 << 20, Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofMinutes(5), 10, List.of(), 16L << 20, Duration.ofSeconds(60))));
        ServerDef server = new ServerDef("srv_fixture", "fixture", Transport.STREAMABLE_HTTP, null, null, fixture.url().toString(), null,
                Instant.now(), Instant.now());
        upstream = upstreams.connect(server, StatelessSessions.upstreamInit(null));
    }

    @AfterAll
    static void stop() {
        if (upstream != null) {
            upstream.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private static ObjectNode call(InputRequiredBridge bridge, String connection, String tool, ObjectNode caps, JsonNode inputResponses,
                                   String requestState, List<ObjectNode> interim) {
        ObjectNode params = Json.object();
        params.put("name", tool);
        params.putObject("arguments");
        if (inputResponses != null) {
            params.set("inputResponses", inputResponses);
        }
        if (requestState != null) {
            params.put("requestState", requestState);
        }
        ObjectNode request = JsonRpc.request(7L, "tools/call", params);
        return bridge.execute(new InputRequiredBridge.Call(connection, "srv_fixture", upstream, request, caps, true,
                gatehouse.gateway.protocol.RelayScreen.NONE),
                m -> {
                    if (interim != null) {
                        interim.add(m);
                    }
                }, null);
    }

    private static ObjectNode call(InputRequiredBridge bridge, String tool, JsonNode inputResponses, String requestState) {
        return call(bridge, "conn_a", tool, ALL, inputResponses, requestState, null);
    }

    private static ObjectNode answers(String key, String json) {
        ObjectNode a = Json.object();
        a.set(key, Json.tree(json));
        return a;
    }

    /** The key of the one input request of a round. */
    private static String onlyKey(ObjectNode response) {
        List<String> keys = new ArrayList<>();
        response.path("result").path("inputRequests").properties().forEach(e -> keys.add(e.getKey()));
        assertThat(keys).as("input requests of %s", response).hasSize(1);
        return keys.getFirst();
    }

    private static String text(ObjectNode response) {
        return response.path("result").path("content").path(0).path("text").asString("");
    }

    @Test
    void aServerRequestBecomesAnInputRequiredRoundAndTheAnswerGoesBackToTheParkedCall() {
        ObjectNode first = call(replicaA, "test_input_required_result_elicitation", null, null);
        JsonNode result = first.get("result");
        assertThat(first.get("id").asInt()).isEqualTo(7);
        assertThat(result.path("resultType").asString()).isEqualTo("input_required");
        String key = onlyKey(first);
        assertThat(key).as("derived from the request, since a 2025 server names no key").matches("elicitation-[0-9a-f]{12}");
        assertThat(result.path("inputRequests").path(key).path("method").asString()).isEqualTo("elicitation/create");
        assertThat(result.path("inputRequests").path(key).path("params").path("message").asString()).isEqualTo("What is your name?");
        assertThat(replicaA.parkedCount()).isEqualTo(1);

        ObjectNode done = call(replicaA, "test_input_required_result_elicitation",
                answers(key, "{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}"), result.path("requestState").asString());
        assertThat(text(done)).isEqualTo("Hello, Alice!");
        assertThat(replicaA.parkedCount()).isZero();
    }

    @Test
    void aRetryOnAnotherReplicaReplaysTheCallWithEveryAnswerSoFar() {
        ObjectNode round1 = call(replicaA, "test_input_required_result_multi_round", null, null);
        String step1 = onlyKey(round1);
        // Round 2 lands on replica B, which never saw the call: it replays it with step1's answer.
        ObjectNode round2 = call(replicaB, "test_input_required_result_multi_round",
                answers(step1, "{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}"),
                round1.path("result").path("requestState").asString());
        String step2 = onlyKey(round2);
        assertThat(step2).as("the second question's key").isNotEqualTo(step1);
        assertThat(round2.path("result").path("requestState").asString()).isNotEqualTo(round1.path("result").path("requestState").asString());
        // Round 3 goes back to replica A, whose parked call is stale now: replayed again, with both answers.
        ObjectNode done = call(replicaA, "test_input_required_result_multi_round",
                answers(step2, "{\"action\":\"accept\",\"content\":{\"color\":\"blue\"}}"),
                round2.path("result").path("requestState").asString());
        assertThat(text(done)).isEqualTo("Alice likes blue");
    }

    @Test
    void requestsSentTogetherFormOneRound() {
        ObjectNode first = call(replicaA, "test_input_required_result_multiple_inputs", null, null);
        JsonNode requests = first.path("result").path("inputRequests");
        List<String> methods = new ArrayList<>();
        requests.properties().forEach(e -> methods.add(e.getValue().path("method").asString()));
        assertThat(methods).containsExactlyInAnyOrder("elicitation/create", "sampling/createMessage", "roots/list");
        ObjectNode all = Json.object();
        requests.properties().forEach(e -> all.set(e.getKey(), switch (e.getValue().path("method").asString()) {
            case "elicitation/create" -> Json.tree("{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}");
            case "sampling/createMessage" -> Json.tree("{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"Hi!\"},\"model\":\"m\"}");
            default -> Json.tree("{\"roots\":[{\"uri\":\"file:///tmp\",\"name\":\"tmp\"}]}");
        }));
        ObjectNode done = call(replicaA, "test_input_required_result_multiple_inputs", all, first.path("result").path("requestState").asString());
        assertThat(text(done)).isEqualTo("Alice / Hi! / 1 root(s)");
    }

    @Test
    void aStateFromAnotherConnectionOrEditedIsRefusedAndTheUpstreamNeverSeesTheAnswer() {
        ObjectNode first = call(replicaA, "test_input_required_result_tampered_state", null, null);
        String state = first.path("result").path("requestState").asString();
        ObjectNode yes = answers(onlyKey(first), "{\"action\":\"accept\",\"content\":{\"ok\":true}}");

        ObjectNode foreign = call(replicaA, "conn_other", "test_input_required_result_tampered_state", ALL, yes, state, null);
        assertThat(foreign.path("error").path("code").asInt()).isEqualTo(JsonRpc.INVALID_PARAMS);
        ObjectNode tampered = call(replicaA, "test_input_required_result_tampered_state", yes, state + "-TAMPERED");
        assertThat(tampered.path("error").path("code").asInt()).isEqualTo(JsonRpc.INVALID_PARAMS);
        ObjectNode otherTool = call(replicaA, "test_input_required_result_request_state", yes, state);
        assertThat(otherTool.path("error").path("code").asInt()).as("bound to the request it was issued for").isEqualTo(JsonRpc.INVALID_PARAMS);

        // The parked call is still waiting for its rightful owner.
        assertThat(text(call(replicaA, "test_input_required_result_tampered_state", yes, state))).isEqualTo("confirmed: true");
    }

    @Test
    void answersGivenUpFrontAreUsedAndExtraKeysIgnored() {
        // The key of a question is derived from its content, so a client that met it once can answer it up front.
        ObjectNode asked = call(replicaA, "test_input_required_result_elicitation", null, null);
        String key = onlyKey(asked);
        call(replicaA, "test_input_required_result_elicitation", answers(key, "{\"action\":\"decline\"}"),
                asked.path("result").path("requestState").asString());
        ObjectNode given = answers(key, "{\"action\":\"accept\",\"content\":{\"name\":\"Bob\"}}");
        given.set("unknown_extra_key", Json.tree("{\"action\":\"accept\",\"content\":{\"x\":1}}"));
        assertThat(text(call(replicaA, "test_input_required_result_elicitation", given, null))).isEqualTo("Hello, Bob!");
    }

    @Test
    void theBridgesErrorAnswersAreMadeByTheTranslationItIsGiven() {
        List<Integer> translated = new java.util.concurrent.CopyOnWriteArrayList<>();
        WireErrors wire = new WireErrors();
        InputRequiredBridge bridge = new InputRequiredBridge(new RequestStateSeal(KEY, Clock.systemUTC()), upstreams, (id, failure) -> {
            translated.add(failure instanceof gatehouse.gateway.protocol.McpException m ? m.code() : 0);
            return wire.reply(id, failure);
        });
        ObjectNode refused = call(bridge, "test_input_required_result_elicitation", null, "not-a-sealed-state");
        assertThat(refused.path("error").path("code").asInt()).isEqualTo(JsonRpc.INVALID_PARAMS);
        assertThat(translated).containsExactly(JsonRpc.INVALID_PARAMS);
    }

    @Test
    void malformedInputResponsesAreInvalidParams() {
        assertThat(call(replicaA, "test_input_required_result_elicitation", Json.tree("{\"elicitation-0123456789ab\":12345}"), null)
                .path("error").path("code").asInt()).isEqualTo(JsonRpc.INVALID_PARAMS);
        assertThat(call(replicaA, "test_input_required_result_elicitation", Json.NODES.nullNode(), null)
                .path("error").path("code").asInt()).isEqualTo(JsonRpc.INVALID_PARAMS);
    }

    @Test
    void onlyDeclaredCapabilitiesAreAskedForAndAFailureForLackOfOneIsMissingCapability() {
        ObjectNode samplingOnly = (ObjectNode) Json.tree("{\"sampling\":{}}");
        ObjectNode round = call(replicaA, "conn_a", "test_input_required_result_capabilities", samplingOnly, null, null, null);
        List<String> methods = new ArrayList<>();
        round.path("result").path("inputRequests").properties().forEach(e -> methods.add(e.getValue().path("method").asString()));
        assertThat(methods).containsExactly("sampling/createMessage");

        ObjectNode missing = call(replicaA, "conn_a", "test_missing_capability", Json.object(), null, null, null);
        assertThat(missing.path("error").path("code").asInt()).isEqualTo(JsonRpc.MISSING_CLIENT_CAPABILITY);
        assertThat(missing.path("error").path("data").path("requiredCapabilities").has("sampling")).isTrue();
    }

    @Test
    void logMessagesAndProgressTravelAsInterimMessages() {
        List<ObjectNode> interim = new ArrayList<>();
        ObjectNode done = call(replicaA, "conn_a", "test_logging_tool", ALL, null, null, interim);
        assertThat(text(done)).isEqualTo("Logged three messages");
        assertThat(interim).extracting(JsonRpc::method).containsOnly("notifications/message").hasSize(3);
    }

    @Test
    void parkedCallsAreBoundedPerConnectionAndInAllAndTheOneTooManyIsCancelled() {
        InputRequiredBridge bridge = new InputRequiredBridge(new RequestStateSeal(KEY, Clock.systemUTC()), upstreams, new WireErrors(),
                new gatehouse.gateway.session.SessionLimits(512, 1 << 20, 100, 32, 1, 2), null);
        String tool = "test_input_required_result_elicitation";
        ObjectNode first = call(bridge, "conn_a", tool, ALL, null, null, null);
        assertThat(first.path("result").path("resultType").asString()).isEqualTo("input_required");

        ObjectNode second = call(bridge, "conn_a", tool, ALL, null, null, null);
        assertThat(second.path("error").path("code").asInt()).as("%s", second).isEqualTo(JsonRpc.LIMIT_REACHED);
        assertThat(second.path("error").path("message").asString()).contains("gatehouse.mcp.limits.parked-inputs-per-connection");
        assertThat(second.path("error").path("data").path("limit").asInt()).isEqualTo(1);
        assertThat(bridge.parkedCount()).as("the refused call is not parked").isEqualTo(1);

        assertThat(call(bridge, "conn_b", tool, ALL, null, null, null).path("result").path("resultType").asString())
                .as("another connection still parks").isEqualTo("input_required");
        ObjectNode third = call(bridge, "conn_c", tool, ALL, null, null, null);
        assertThat(third.path("error").path("data").path("setting").asString()).as("%s", third)
                .isEqualTo("gatehouse.mcp.limits.parked-inputs");
        assertThat(bridge.parkedCount()).isEqualTo(2);

        // answering the first frees its place
        String key = onlyKey(first);
        ObjectNode done = call(bridge, "conn_a", tool, ALL, answers(key, "{\"action\":\"accept\",\"content\":{\"name\":\"Bo\"}}"),
                first.path("result").path("requestState").asString(), null);
        assertThat(text(done)).isEqualTo("Hello, Bo!");
        assertThat(call(bridge, "conn_a", tool, ALL, null, null, null).path("result").path("resultType").asString()).isEqualTo("input_required");
        bridge.destroy();
    }
}
