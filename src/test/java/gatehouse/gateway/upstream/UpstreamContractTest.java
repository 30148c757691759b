package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.fixture.ConformanceFixture;
import gatehouse.gateway.pipeline.CountingStep;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient.Connection;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the gateway promises a client whatever transport its upstream speaks. Each subclass puts
 * the conformance fixture behind the gateway over one transport; every test here then talks raw
 * Streamable HTTP to {@code /gateway/v1/mcp} and checks exact answers.
 */
abstract class UpstreamContractTest extends GatewayTestSupport {
    // generous: under load a revived stdio fixture (a child JVM) takes well over 30 s to answer
    static final Duration WAIT = Duration.ofSeconds(120);

    /** A fixture registered with the gateway as an upstream server. */
    interface Upstream extends AutoCloseable {
        String serverId();

        String name();

        /** The upstream dies abruptly. */
        void kill();

        /** It comes back at the same address (a stdio server is restarted by the gateway itself). */
        void revive();

        @Override
        void close();
    }

    /** Whether the transport ties an upstream's log messages to the call they come from. */
    boolean logMessagesBelongToTheirCall() {
        return true;
    }

    /** Starts a fixture on this class's transport and registers it as the server {@code name}. */
    abstract Upstream startUpstream(String name);

    @Autowired
    CountingStep counting;
    private final List<Upstream> upstreams = new ArrayList<>();
    final List<McpTestClient> clients = new CopyOnWriteArrayList<>();
    Upstream primary;
    Upstream secondary;
    Upstream victim;
    /** Gateway "fx": the primary fixture alone. */
    Connection single;
    /** Gateway with the primary as "fx" and a second fixture as "fx2". */
    Connection pair;
    /** Gateway with the primary as "fx" and a fixture that will die as "vx". */
    Connection failing;

    @BeforeAll
    void registerUpstreams() {
        primary = started(startUpstream(unique("fixture")));
        secondary = started(startUpstream(unique("fixture-two")));
        victim = started(startUpstream(unique("victim")));
        single = gateway("contract", Map.of("fx", primary));
        pair = gateway("pair", Map.of("fx", primary, "fx2", secondary));
        failing = gateway("failing", Map.of("fx", primary, "vx", victim));
        // A stdio fixture is a child JVM; on a busy machine its first start outlasts a client's request timeout.
        for (Upstream u : upstreams) {
            await("server " + u.name() + " ready").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                    .until(() -> "ok".equals(admin.send("GET", "/servers/" + u.serverId(), null).body().path("health").path("state").asString()));
        }
    }

    private Upstream started(Upstream u) {
        upstreams.add(u);
        return u;
    }

    private Connection gateway(String name, Map<String, Upstream> byPrefix) {
        String gid = admin.createGateway(unique(name));
        byPrefix.forEach((prefix, u) -> admin.assign(gid, u.serverId(), prefix));
        return admin.connect(gid);
    }

    @AfterEach
    void endSessions() {
        for (McpTestClient c : clients) {
            if (c.sessionId() != null) {
                c.delete();
            }
            c.close();
        }
        clients.clear();
    }

    @AfterAll
    void stopUpstreams() {
        for (Upstream u : upstreams) {
            admin.deleteServer(u.serverId());
            u.close();
        }
    }

    /** A client with an initialized session on {@code connection}'s gateway. */
    McpTestClient session(Connection connection, String... clientCapabilities) {
        McpTestClient c = client(connection);
        clients.add(c);
        Result init = c.initialize(McpTestClient.capabilities(clientCapabilities));
        assertThat(init.status()).as("initialize: %s", init.body()).isEqualTo(200);
        return c;
    }

    // ------------------------------------------------------------------ the pipeline's steps

    @Test
    void everyRelayedMessageOfASessionPassesTheSteps() {
        Connection conn = gateway("relay-coverage", Map.of("fx", primary));
        McpTestClient c = session(conn, "sampling", "elicitation", "roots");
        c.onServerRequest(RelayCoverage::answer);
        List<ObjectNode> received = new CopyOnWriteArrayList<>();
        try (McpTestClient.EventStream stream = c.openStream()) {
            assertThat(stream.status()).isEqualTo(200);
            for (String tool : List.of("test_sampling", "test_elicitation", "test_input_required_result_list_roots")) {
                Result r = c.callTool("fx__" + tool, obj("prompt", "hi").put("message", "who?"));
                assertThat(r.response().has("result")).as(r.body()).isTrue();
                received.addAll(r.interim());
            }
            ObjectNode progress = obj("name", "fx__test_tool_with_progress");
            progress.putObject("arguments");
            progress.putObject("_meta").put("progressToken", "p-1");
            received.addAll(c.call("tools/call", progress).interim());
            assertThat(c.call("logging/setLevel", obj("level", "debug")).result()).isEqualTo(Json.object());
            received.addAll(c.callTool("fx__test_tool_with_logging", null).interim());
            assertThat(c.call("resources/subscribe", obj("uri", ConformanceFixture.WATCHED_URI)).result()).isEqualTo(Json.object());
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                received.addAll(c.callTool("fx__test_trigger_resource_update", null).interim());
                RelayCoverage.drain(stream, received);
                return RelayCoverage.saw(counting.seenBy(conn.id()), "notifications/resources/updated");
            });
            received.addAll(c.callTool("fx__test_trigger_tool_change", null).interim());
            received.addAll(c.callTool("fx__test_trigger_tool_change", null).interim());
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                RelayCoverage.drain(stream, received);
                return RelayCoverage.saw(counting.seenBy(conn.id()), "notifications/tools/list_changed");
            });
            RelayCoverage.drain(stream, received);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(c.answerStatuses()).hasSize(3).containsOnly(202));

        List<CountingStep.Seen> seen = counting.seenBy(conn.id());
        RelayCoverage.assertSessionCoverage(seen);
        RelayCoverage.assertNothingEscaped(seen, received);
    }

    @Test
    void everyRelayedMessageOfAStatelessClientPassesTheSteps() {
        Connection conn = gateway("relay-coverage-stateless", Map.of("fx", primary));
        McpTestClient c = client(conn);
        clients.add(c);
        RelayCoverage.Stateless client = new RelayCoverage.Stateless(c);
        List<ObjectNode> received = new CopyOnWriteArrayList<>();
        for (String tool : List.of("test_input_required_result_elicitation", "test_input_required_result_sampling",
                "test_input_required_result_list_roots")) {
            Result r = client.callUntilComplete("fx__" + tool, received);
            assertThat(r.result().path("resultType").asString()).as(r.body()).isEqualTo("complete");
        }
        received.addAll(client.call("tools/call", "fx__test_tool_with_progress", Json.object(), "p-2").interim());
        received.addAll(client.call("tools/call", "fx__test_tool_with_logging", Json.object(), null).interim());
        RelayCoverage.Listen listen = client.listen(ConformanceFixture.WATCHED_URI);
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                client.call("tools/call", "fx__test_trigger_resource_update", Json.object(), null);
                return RelayCoverage.saw(counting.seenBy(conn.id()), "notifications/resources/updated");
            });
            client.call("tools/call", "fx__test_trigger_tool_change", Json.object(), null);
            client.call("tools/call", "fx__test_trigger_tool_change", Json.object(), null);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> RelayCoverage.saw(counting.seenBy(conn.id()), "notifications/tools/list_changed"));
        } finally {
            admin.setEnabled(conn.id(), false); // ends the listen stream
        }
        received.addAll(listen.end(WAIT));

        List<CountingStep.Seen> seen = counting.seenBy(conn.id());
        RelayCoverage.assertStatelessCoverage(seen, logMessagesBelongToTheirCall());
        RelayCoverage.assertNothingEscaped(seen, received);
    }

    @Test
    void aDecisionAStepFlagsLandsInTheLogRecord() {
        Connection conn = gateway("decisions", Map.of("fx", primary));
        McpTestClient c = session(conn);

        assertThat(text(c.callTool("fx__" + CountingStep.FLAGGED_TOOL, null))).isEqualTo(ConformanceFixture.SIMPLE_TEXT);

        List<ObjectNode> calls = awaitLogs("connection=" + conn.id() + "&limit=100",
                r -> "tools/call".equals(r.path("method").asString(null)), 1);
        assertThat(calls).singleElement().satisfies(r -> {
            JsonNode decisions = r.get("decisions");
            JsonNode parsed = decisions.isString() ? Json.tree(decisions.asString()) : decisions;
            assertThat(parsed.get(0).path("step").asString()).isEqualTo(CountingStep.NAME);
            assertThat(parsed.get(0).path("action").asString()).isEqualTo("alert");
            assertThat(parsed.get(0).path("details").path("reason").asString()).isEqualTo("test flag");
        });
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void initializeOpensASessionAndAnswersAsTheGateway() {
        McpTestClient c = client(single);
        clients.add(c);

        Result r = c.initialize(McpTestClient.capabilities());

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.header("Mcp-Session-Id")).isNotBlank().matches("[\\x21-\\x7E]+");
        assertThat(r.response().get("id").asLong()).isEqualTo(1L);
        assertThat(r.result().path("protocolVersion").asString()).isEqualTo("2025-11-25");
        assertThat(r.result().path("serverInfo").path("name").asString()).isEqualTo("gatehouse");
        assertThat(r.result().path("capabilities").has("tools")).isTrue();
        assertThat(r.result().path("capabilities").has("prompts")).isTrue();
        assertThat(r.result().path("capabilities").has("resources")).isTrue();
    }

    @Test
    void pingAndLoggingSetLevelAnswerEmptyResults() {
        McpTestClient c = session(single);

        assertThat(c.call("ping", null).result()).isEqualTo(Json.object());
        assertThat(c.call("logging/setLevel", obj("level", "debug")).result()).isEqualTo(Json.object());
    }

    @Test
    void deleteEndsTheSessionAndItIsThenUnknown() {
        McpTestClient c = session(single);
        assertThat(c.call("ping", null).status()).isEqualTo(200);

        Result deleted = c.delete();
        Result after = c.call("ping", null);
        McpTestClient.EventStream stream = c.openStream();

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(after.status()).isEqualTo(404);
        assertThat(after.error().path("code").asInt()).isEqualTo(-32600);
        assertThat(stream.status()).isEqualTo(404);
        assertThat(c.delete().status()).isEqualTo(404);
        c.sessionId(null); // nothing left to clean up
    }

    // ------------------------------------------------------------------ tools

    @Test
    void toolsListShowsEveryUpstreamToolUnderItsPrefix() {
        McpTestClient c = session(single);

        JsonNode tools = c.call("tools/list", Json.object()).result().path("tools");

        assertThat(values(tools, "name")).containsExactlyInAnyOrderElementsOf(prefixed("fx", ConformanceFixture.TOOL_NAMES));
        JsonNode sampling = find(tools, "name", "fx__test_sampling");
        assertThat(sampling.path("description").asString()).isEqualTo("Asks the client's LLM to answer a prompt (sampling/createMessage)");
        assertThat(sampling.path("inputSchema").path("required")).isEqualTo(Json.tree("[\"prompt\"]"));
    }

    @Test
    void anUpstreamsListChangeShowsInTheNextMergedListNeverAnEarlierAnswer() {
        Connection conn = gateway("list-change", Map.of("fx", primary, "fx2", secondary));
        admin.expect(200, "PATCH", "/gateways/" + conn.gatewayId(), Map.of("autoApprove", true)); // a new tool shows at once
        McpTestClient c = session(conn);
        String dynamic = "fx__test_dynamic_tool";
        JsonNode first = c.call("tools/list", Json.object()).result();
        assertThat(c.call("tools/list", Json.object()).result()).as("the same list again").isEqualTo(first);
        List<String> before = values(first.path("tools"), "name");
        assertThat(before).doesNotContain(dynamic).contains("fx__test_simple_text", "fx2__test_simple_text");

        // the fixture adds a tool and announces it; then removes it again (other tests expect its usual list)
        assertThat(c.callTool("fx__test_trigger_tool_change", null).response().has("result")).isTrue();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> values(c.call("tools/list", Json.object()).result().path("tools"), "name").contains(dynamic));
        assertThat(c.callTool("fx__test_trigger_tool_change", null).response().has("result")).isTrue();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> !values(c.call("tools/list", Json.object()).result().path("tools"), "name").contains(dynamic));
        assertThat(values(c.call("tools/list", Json.object()).result().path("tools"), "name")).containsExactlyElementsOf(before);
    }

    @Test
    void toolsCallIsRoutedToTheUpstreamAndRelayedBack() {
        McpTestClient c = session(single);

        Result ok = c.callTool("fx__test_simple_text", null);
        Result failed = c.callTool("fx__test_error_handling", null);

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.response().get("id")).isEqualTo(Json.tree("2"));
        assertThat(ok.result()).isEqualTo(Json.tree("""
                {"content":[{"type":"text","text":"%s"}],"isError":false}""".formatted(ConformanceFixture.SIMPLE_TEXT)));
        assertThat(failed.result().path("isError").asBoolean()).isTrue();
        assertThat(text(failed)).isEqualTo("This tool intentionally returns an error for testing");
    }

    @Test
    void progressArrivesOnThePostStreamWithTheClientsOwnToken() {
        McpTestClient c = session(single);

        for (JsonNode token : List.of(Json.tree("\"progress-" + UUID.randomUUID() + "\""), Json.tree("4242"))) {
            ObjectNode params = obj("name", "fx__test_tool_with_progress");
            params.putObject("arguments");
            params.putObject("_meta").set("progressToken", token);

            Result r = c.call("tools/call", params);

            assertThat(r.streamed()).as("answered as an event stream").isTrue();
            List<ObjectNode> progress = r.interim().stream().filter(m -> "notifications/progress".equals(m.path("method").asString(null))).toList();
            assertThat(progress).extracting(m -> m.path("params").get("progressToken")).containsExactly(token, token, token);
            assertThat(progress).extracting(m -> m.path("params").path("progress").asDouble()).containsExactly(0.0, 50.0, 100.0);
            assertThat(progress).extracting(m -> m.path("params").path("total").asDouble()).containsExactly(100.0, 100.0, 100.0);
            assertThat(text(r)).isEqualTo("Tool with progress executed successfully");
        }
    }

    @Test
    void samplingRequestsTravelToTheClientAndItsAnswerBack() {
        McpTestClient c = session(single, "sampling");
        List<ObjectNode> asked = new CopyOnWriteArrayList<>();
        c.onServerRequest(request -> {
            asked.add(request);
            String prompt = request.path("params").path("messages").get(0).path("content").path("text").asString();
            return Json.tree("""
                    {"role":"assistant","content":{"type":"text","text":"echo: %s"},"model":"test-model","stopReason":"endTurn"}"""
                    .formatted(prompt));
        });

        Result r = c.callTool("fx__test_sampling", obj("prompt", "hello gateway"));

        assertThat(text(r)).isEqualTo("LLM response: echo: hello gateway");
        assertThat(r.interim()).filteredOn(m -> m.has("id")).singleElement().satisfies(m -> {
            assertThat(m.path("method").asString()).isEqualTo("sampling/createMessage");
            assertThat(m.get("id").asString()).startsWith("gh-");
            assertThat(m.path("params").path("maxTokens").asInt()).isEqualTo(100);
        });
        assertThat(asked).hasSize(1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(c.answerStatuses()).containsExactly(202));
    }

    @Test
    void elicitationRequestsTravelToTheClientAndItsAnswerBack() {
        McpTestClient c = session(single, "elicitation");
        c.onServerRequest(request -> {
            assertThat(request.path("method").asString()).isEqualTo("elicitation/create");
            return Json.tree("""
                    {"action":"accept","content":{"username":"alice","email":"alice@example.com"}}""");
        });

        Result r = c.callTool("fx__test_elicitation", obj("message", "Who are you?"));

        assertThat(text(r)).isEqualTo("User response: action=accept, content={\"username\":\"alice\",\"email\":\"alice@example.com\"}");
        ObjectNode asked = r.interim().stream().filter(m -> m.has("id")).findFirst().orElseThrow();
        assertThat(asked.get("id").asString()).startsWith("gh-");
        assertThat(asked.path("params").path("message").asString()).isEqualTo("Who are you?");
        assertThat(values(asked.path("params").path("requestedSchema").path("required"), null)).containsExactly("username", "email");
    }

    @Test
    void anAssertionFailingInTheClientsServerRequestCallbackReachesTheTest() {
        McpTestClient c = session(single, "elicitation");
        c.onServerRequest(request -> {
            assertThat(request.path("method").asString()).as("deliberately wrong expectation").isEqualTo("sampling/createMessage");
            return Json.object();
        });

        assertThatThrownBy(() -> c.callTool("fx__test_elicitation", obj("message", "Who are you?")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("a server-request callback failed")
                .hasMessageContaining("deliberately wrong expectation");
        // Reported once: the client is usable again afterwards.
        assertThat(c.call("ping", Json.object()).status()).isEqualTo(200);
    }

    @Test
    void aClientWithoutSamplingIsNotAskedAndTheToolReportsIt() {
        McpTestClient c = session(single);

        Result r = c.callTool("fx__test_sampling", obj("prompt", "hello"));

        assertThat(r.interim()).noneMatch(m -> m.has("id"));
        assertThat(r.result().path("isError").asBoolean()).isTrue();
        assertThat(text(r)).startsWith("Sampling failed:");
    }

    @Test
    void cancellingAnInFlightCallEndsItAndTheSessionCarriesOn() throws Exception {
        McpTestClient c = session(single, "elicitation");
        CompletableFuture<ObjectNode> asked = new CompletableFuture<>();
        CountDownLatch answerLate = new CountDownLatch(1);
        c.onServerRequest(request -> {
            asked.complete(request);
            try {
                answerLate.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Json.tree("{\"action\":\"decline\"}");
        });
        ObjectNode call = c.request("tools/call", Json.tree("""
                {"name":"fx__test_elicitation","arguments":{"message":"never answered in time"}}"""));

        CompletableFuture<Result> inFlight = c.postAsync(Json.bytes(call), Map.of(), m -> { });
        McpTestClient.join(asked, WAIT);
        ObjectNode cancel = obj("reason", "the user changed their mind");
        cancel.set("requestId", call.get("id"));
        Result cancelled = c.notify("notifications/cancelled", cancel);
        Result ended = McpTestClient.join(inFlight, Duration.ofSeconds(10));

        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(ended.messages()).as("no response for a cancelled request").noneMatch(m -> m.has("result") || m.has("error"));
        answerLate.countDown(); // the answer now arrives for a request nobody waits for
        await().atMost(WAIT).untilAsserted(() -> assertThat(c.answerStatuses()).containsExactly(202));
        assertThat(c.call("ping", null).result()).isEqualTo(Json.object());
        assertThat(text(c.callTool("fx__test_simple_text", null))).isEqualTo(ConformanceFixture.SIMPLE_TEXT);
    }

    @Test
    void logMessagesReachTheClientAtTheLevelItSet() {
        McpTestClient c = session(single);
        try (McpTestClient.EventStream stream = c.openStream()) {
            assertThat(stream.status()).isEqualTo(200);
            List<String> logged = new CopyOnWriteArrayList<>();

            assertThat(c.call("logging/setLevel", obj("level", "error")).result()).isEqualTo(Json.object());
            Result quiet = c.callTool("fx__test_tool_with_logging", null);
            assertThat(c.call("logging/setLevel", obj("level", "info")).result()).isEqualTo(Json.object());
            Result loud = c.callTool("fx__test_tool_with_logging", null);

            assertThat(text(quiet)).isEqualTo("Tool with logging executed successfully");
            assertThat(text(loud)).isEqualTo("Tool with logging executed successfully");
            // Messages travel on the POST's stream or, where an upstream cannot tie them to the call
            // (stdio, legacy SSE), on the GET stream; either way in order, so anything the "error"
            // level let through would come first.
            for (Result r : List.of(quiet, loud)) {
                r.interim().stream().filter(m -> "notifications/message".equals(m.path("method").asString(null)))
                        .forEach(m -> logged.add(m.path("params").path("data").asString()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                ObjectNode m = stream.poll(Duration.ofMillis(100));
                if (m != null && "notifications/message".equals(m.path("method").asString(null))) {
                    logged.add(m.path("params").path("data").asString());
                }
                return logged.size() >= 3;
            });
            assertThat(logged).containsExactly("Tool execution started", "Tool processing data", "Tool execution completed");
        }
    }

    // ------------------------------------------------------------------ lossless relay

    @Test
    void unknownFieldsReachTheUpstreamAndComeBackUnchanged() {
        McpTestClient c = session(single);
        JsonNode unknownMeta = Json.tree("""
                {"nested":[1,"two",{"three":3.5,"four":null}],"flag":true}""");
        JsonNode extension = Json.tree("""
                {"keep":"me","list":[{"deep":{"deeper":"value"}}]}""");
        ObjectNode params = obj("name", "fx__test_echo_request");
        params.putObject("arguments").put("a", 1);
        params.putObject("_meta").set("x.test/unknown", unknownMeta);
        params.set("x-test-extension", extension);

        Result r = c.call("tools/call", params);

        JsonNode echo = Json.tree(text(r));
        assertThat(echo.path("_meta")).isEqualTo(obj("x.test/unknown", unknownMeta));
        assertThat(echo.path("arguments")).isEqualTo(Json.tree("{\"a\":1}"));
        JsonNode received = Json.tree(echo.path("raw").asString()).path("params");
        assertThat(received.path("name").asString()).isEqualTo("test_echo_request");
        assertThat(received.path("x-test-extension")).isEqualTo(extension);
        assertThat(received.path("_meta").path("x.test/unknown")).isEqualTo(unknownMeta);
        assertThat(r.result().path("_meta").path("x.test/unknown")).as("the result's own _meta").isEqualTo(unknownMeta);
    }

    // ------------------------------------------------------------------ prompts, resources, completion

    @Test
    void promptsAreListedUnderThePrefixAndFetched() {
        McpTestClient c = session(single);

        JsonNode prompts = c.call("prompts/list", Json.object()).result().path("prompts");
        Result simple = c.call("prompts/get", obj("name", "fx__test_simple_prompt"));
        ObjectNode withArgs = obj("name", "fx__test_prompt_with_arguments");
        withArgs.putObject("arguments").put("arg1", "first").put("arg2", "second");
        Result args = c.call("prompts/get", withArgs);

        assertThat(values(prompts, "name")).containsExactlyInAnyOrderElementsOf(prefixed("fx", ConformanceFixture.PROMPT_NAMES));
        assertThat(simple.result().path("messages").get(0).path("content").path("text").asString())
                .isEqualTo("This is a simple prompt for testing.");
        assertThat(args.result().path("messages").get(0).path("content").path("text").asString())
                .isEqualTo("Prompt with arguments: arg1='first', arg2='second'");
    }

    @Test
    void resourcesAreListedAndReadByStaticAndTemplatedUri() {
        McpTestClient c = session(single);

        JsonNode resources = c.call("resources/list", Json.object()).result().path("resources");
        JsonNode templates = c.call("resources/templates/list", Json.object()).result().path("resourceTemplates");
        Result staticText = c.call("resources/read", obj("uri", ConformanceFixture.STATIC_TEXT_URI));
        Result templated = c.call("resources/read", obj("uri", "test://template/42/data"));

        assertThat(values(resources, "uri")).containsExactlyInAnyOrder(ConformanceFixture.STATIC_TEXT_URI,
                ConformanceFixture.STATIC_BINARY_URI, ConformanceFixture.WATCHED_URI);
        assertThat(values(templates, "uriTemplate")).containsExactly(ConformanceFixture.TEMPLATE_URI);
        assertThat(staticText.result().path("contents")).isEqualTo(Json.tree("""
                [{"uri":"test://static-text","mimeType":"text/plain","text":"%s"}]""".formatted(ConformanceFixture.STATIC_TEXT)));
        JsonNode content = templated.result().path("contents").get(0);
        assertThat(content.path("uri").asString()).isEqualTo("test://template/42/data");
        assertThat(Json.tree(content.path("text").asString())).isEqualTo(Json.tree("""
                {"id":"42","templateTest":true,"data":"Data for ID: 42"}"""));
    }

    @Test
    void aUriNoServerListsIsNotFoundEvenWhenOnlyOneServerHasResources() {
        McpTestClient c = session(single);

        Result missing = c.call("resources/read", obj("uri", "test://no-such-resource"));

        // Gatehouse answers itself instead of asking the only resource server, so a missing URI and
        // a hidden one get the same error.
        assertThat(missing.error().path("code").asInt()).isEqualTo(-32002);
        assertThat(missing.error().path("message").asString()).isEqualTo("Resource not found: test://no-such-resource");
        assertThat(missing.error().path("data").path("uri").asString()).isEqualTo("test://no-such-resource");
    }

    @Test
    void resourceUpdatesReachTheGetStreamOfASubscribedSession() {
        McpTestClient c = session(single);
        try (McpTestClient.EventStream stream = c.openStream()) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(c.call("resources/subscribe", obj("uri", ConformanceFixture.WATCHED_URI)).result()).isEqualTo(Json.object());
            List<ObjectNode> updates = new CopyOnWriteArrayList<>();

            // The gateway's own stream from a Streamable HTTP upstream opens just after the session
            // does, and the upstream drops what it sends before that; so trigger until one arrives.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ZERO).until(() -> {
                Result trigger = c.callTool("fx__test_trigger_resource_update", null);
                assertThat(text(trigger)).isEqualTo("Update notification sent for " + ConformanceFixture.WATCHED_URI);
                List<ObjectNode> seen = new ArrayList<>(trigger.interim());
                for (ObjectNode m = stream.poll(Duration.ofMillis(500)); m != null; m = stream.poll(Duration.ofMillis(50))) {
                    seen.add(m);
                }
                seen.stream().filter(n -> "notifications/resources/updated".equals(n.path("method").asString(null))).forEach(updates::add);
                return !updates.isEmpty();
            });
            assertThat(updates).allSatisfy(n -> assertThat(n.path("params")).isEqualTo(obj("uri", ConformanceFixture.WATCHED_URI)));
        }
    }

    @Test
    void completionIsRoutedForPromptAndResourceReferences() {
        McpTestClient c = session(single);

        Result prompt = c.call("completion/complete", Json.tree("""
                {"ref":{"type":"ref/prompt","name":"fx__test_prompt_with_arguments"},"argument":{"name":"arg1","value":"par"}}"""));
        Result resource = c.call("completion/complete", Json.tree("""
                {"ref":{"type":"ref/resource","uri":"test://template/{id}/data"},"argument":{"name":"id","value":"1"}}"""));

        assertThat(prompt.result().path("completion")).isEqualTo(Json.tree("""
                {"values":["paris","park","party"],"total":3,"hasMore":false}"""));
        assertThat(values(resource.result().path("completion").path("values"), null)).containsExactly("1", "123");
    }

    // ------------------------------------------------------------------ several servers

    @Test
    void twoServersAreMergedAndEachNameGoesToItsOwnServer() {
        McpTestClient c = session(pair);

        JsonNode tools = c.call("tools/list", Json.object()).result().path("tools");
        JsonNode prompts = c.call("prompts/list", Json.object()).result().path("prompts");
        JsonNode resources = c.call("resources/list", Json.object()).result().path("resources");
        Result first = c.callTool("fx__test_simple_text", null);
        Result second = c.callTool("fx2__test_simple_text", null);

        List<String> expected = new ArrayList<>(prefixed("fx", ConformanceFixture.TOOL_NAMES));
        expected.addAll(prefixed("fx2", ConformanceFixture.TOOL_NAMES));
        assertThat(values(tools, "name")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(values(prompts, "name")).hasSize(2 * ConformanceFixture.PROMPT_NAMES.size())
                .contains("fx__test_simple_prompt", "fx2__test_simple_prompt");
        assertThat(values(resources, "uri")).as("same URIs on both servers are listed once")
                .containsExactlyInAnyOrder(ConformanceFixture.STATIC_TEXT_URI, ConformanceFixture.STATIC_BINARY_URI, ConformanceFixture.WATCHED_URI);
        assertThat(text(first)).isEqualTo(ConformanceFixture.SIMPLE_TEXT);
        assertThat(text(second)).isEqualTo(ConformanceFixture.SIMPLE_TEXT);
        assertThat(awaitLogs("gateway=" + pair.gatewayId() + "&tool=fx2__test_simple_text", 1))
                .singleElement().satisfies(log -> {
                    assertThat(log.path("serverId").asString()).isEqualTo(secondary.serverId());
                    assertThat(log.path("connectionId").asString()).isEqualTo(pair.id());
                    assertThat(log.path("method").asString()).isEqualTo("tools/call");
                    assertThat(log.path("status").asString()).isEqualTo("ok");
                });
        assertThat(awaitLogs("gateway=" + pair.gatewayId() + "&tool=fx__test_simple_text", 1))
                .singleElement().satisfies(log -> assertThat(log.path("serverId").asString()).isEqualTo(primary.serverId()));
    }

    // ------------------------------------------------------------------ upstream failure

    @Test
    void aDeadUpstreamFailsFastWhileTheOtherWorksAndTheSessionRecovers() {
        McpTestClient c = session(failing);
        assertThat(text(c.callTool("vx__test_simple_text", null))).isEqualTo(ConformanceFixture.SIMPLE_TEXT);
        String sessionId = c.sessionId();

        victim.kill();
        Result dead = c.callTool("vx__test_simple_text", null);

        // Failing because the upstream is gone, not because the call waited out the upstream timeout.
        assertThat(dead.error().path("message").asString()).doesNotContain("did not answer");
        assertThat(dead.status()).isEqualTo(200);
        assertThat(dead.error().path("code").asInt()).isEqualTo(-32000);
        assertThat(dead.error().path("message").asString()).contains("'" + victim.name() + "'");
        assertThat(text(c.callTool("fx__test_simple_text", null))).isEqualTo(ConformanceFixture.SIMPLE_TEXT);
        Result listed = c.call("tools/list", Json.object());
        assertThat(values(listed.result().path("tools"), "name")).as("a dead server does not sink the list")
                .containsAll(prefixed("fx", ConformanceFixture.TOOL_NAMES));

        victim.revive();

        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Result back = c.callTool("vx__test_simple_text", null);
            assertThat(back.messages()).singleElement().satisfies(m -> assertThat(m.has("result")).as("%s", m).isTrue());
            assertThat(text(back)).isEqualTo(ConformanceFixture.SIMPLE_TEXT);
        });
        assertThat(c.sessionId()).isEqualTo(sessionId);
        assertThat(text(c.callTool("fx__test_simple_text", null))).isEqualTo(ConformanceFixture.SIMPLE_TEXT);
    }

    // ------------------------------------------------------------------ helpers

    static ObjectNode obj(String key, Object value) {
        ObjectNode o = Json.object();
        if (value instanceof JsonNode n) {
            o.set(key, n);
        } else {
            o.put(key, String.valueOf(value));
        }
        return o;
    }

    static String text(Result r) {
        JsonNode content = r.result().path("content");
        assertThat(content.size()).as("content of %s", r.response()).isGreaterThan(0);
        return content.get(0).path("text").asString();
    }

    static List<String> values(JsonNode array, String field) {
        return array.valueStream().map(n -> field == null ? n.asString() : n.path(field).asString()).toList();
    }

    static JsonNode find(JsonNode array, String field, String value) {
        return array.valueStream().filter(n -> value.equals(n.path(field).asString())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + field + "=" + value + " in " + array));
    }

    static List<String> prefixed(String prefix, List<String> names) {
        return names.stream().map(n -> prefix + "__" + n).toList();
    }
}
