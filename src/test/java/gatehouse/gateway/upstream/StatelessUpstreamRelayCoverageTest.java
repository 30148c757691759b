package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.testing.AdminClient.Connection;
import gatehouse.e2e.NodePeers;
import gatehouse.gateway.pipeline.CountingStep;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Relayed;
import gatehouse.platform.Json;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.node.ObjectNode;

/**
 * Relay coverage with a 2026-07-28 upstream (the npm SDK v2 server, sdk2-server.mjs, stateless):
 * its {@code input_required} rounds reach a 2025 session as real server requests and the answers
 * go back as {@code inputResponses} (ClientInputRounds), and reach a stateless client as rounds of
 * its own (passed through, the upstream's state sealed inside Gatehouse's). Every input request,
 * answer and progress notification on the way is shown to the steps: a test-only counting step
 * records them per connection.
 */
class StatelessUpstreamRelayCoverageTest extends GatewayTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Autowired
    CountingStep counting;
    private NodePeers.Background upstream;
    private String gateway;

    @BeforeAll
    void startUpstream() throws IOException {
        NodePeers peers = NodePeers.fromEnvironment();
        Path logs = Files.createTempDirectory("sdk2-relay-coverage");
        upstream = peers.start("sdk2-server", List.of(peers.node(), peers.dir().resolve("sdk2-server.mjs").toString(), "--port", "0"),
                peers.dir(), Map.of(), logs);
        String url = upstream.awaitPrinted("url", WAIT);
        String server = admin.createHttpServer(unique("sdk2"), "streamable-http", url);
        gateway = admin.createGateway(unique("relay-2026"));
        admin.assign(gateway, server, "v2");
    }

    @AfterAll
    void stopUpstream() {
        if (upstream != null) {
            upstream.kill();
        }
    }

    private static boolean saw(List<CountingStep.Seen> seen, Relayed.Kind kind, String method) {
        return seen.stream().anyMatch(s -> s.kind() == kind && method.equals(s.method()));
    }

    @Test
    void aSessionAnswersA2026UpstreamsInputRequestsAndTheStepsSeeEveryMessage() {
        Connection conn = admin.connect(gateway);
        McpTestClient c = client(conn);
        assertThat(c.initialize(McpTestClient.capabilities("sampling", "elicitation")).status()).isEqualTo(200);
        c.onServerRequest(RelayCoverage::answer);
        List<ObjectNode> received = new CopyOnWriteArrayList<>();

        Result sampled = c.callTool("v2__sample", Json.object().put("prompt", "capital of France?"));
        assertThat(sampled.result().path("content").get(0).path("text").asString()).as(sampled.body()).contains("sampled:").contains("Paris");
        received.addAll(sampled.interim());
        Result elicited = c.callTool("v2__elicit", Json.object().put("message", "who?"));
        assertThat(elicited.result().path("content").get(0).path("text").asString()).as(elicited.body()).contains("elicited: accept");
        received.addAll(elicited.interim());
        ObjectNode progress = Json.object().put("name", "v2__progress");
        progress.putObject("arguments").put("steps", 2).put("ms", 10);
        progress.putObject("_meta").put("progressToken", "p-2026");
        Result progressed = c.call("tools/call", progress);
        assertThat(progressed.interim()).as("progress reached the client").isNotEmpty();
        received.addAll(progressed.interim());

        List<CountingStep.Seen> seen = counting.seenBy(conn.id());
        assertThat(seen).allMatch(s -> s.generation() == Exchange.Generation.SESSION);
        // the upstream's input requests are shown as what they are (input requests), before they go to the client
        assertThat(saw(seen, Relayed.Kind.INPUT_REQUEST, "sampling/createMessage")).as("%s", seen).isTrue();
        assertThat(saw(seen, Relayed.Kind.INPUT_REQUEST, "elicitation/create")).as("%s", seen).isTrue();
        assertThat(seen.stream().filter(s -> s.kind() == Relayed.Kind.CLIENT_ANSWER).count()).as("client answers").isEqualTo(2);
        assertThat(saw(seen, Relayed.Kind.NOTIFICATION, "notifications/progress")).as("%s", seen).isTrue();
        RelayCoverage.assertNothingEscaped(seen, received);
    }

    @Test
    void aStatelessClientGetsA2026UpstreamsRoundsAndTheStepsSeeEveryMessage() {
        Connection conn = admin.connect(gateway);
        McpTestClient c = client(conn);
        RelayCoverage.Stateless client = new RelayCoverage.Stateless(c);
        List<ObjectNode> received = new CopyOnWriteArrayList<>();

        for (Map.Entry<String, ObjectNode> tool : Map.of("v2__sample", Json.object().put("prompt", "capital of France?"),
                "v2__elicit", Json.object().put("message", "who?")).entrySet()) {
            ObjectNode params = Json.object();
            params.set("arguments", tool.getValue());
            Result r = client.call("tools/call", tool.getKey(), params, null);
            for (int round = 0; round < 5 && "input_required".equals(r.result().path("resultType").asString("")); round++) {
                received.addAll(r.interim());
                ObjectNode answers = Json.object();
                for (var e : r.result().path("inputRequests").properties()) {
                    answers.set(e.getKey(), RelayCoverage.answer((ObjectNode) e.getValue()));
                    received.add((ObjectNode) e.getValue());
                }
                ObjectNode retry = params.deepCopy();
                retry.set("inputResponses", answers);
                retry.set("requestState", r.result().get("requestState"));
                r = client.call("tools/call", tool.getKey(), retry, null);
            }
            received.addAll(r.interim());
            assertThat(r.result().path("resultType").asString("complete")).as(r.body()).isEqualTo("complete");
            assertThat(r.result().path("content").get(0).path("text").asString()).as(r.body()).containsAnyOf("sampled:", "elicited: accept");
        }
        ObjectNode progress = Json.object();
        progress.putObject("arguments").put("steps", 2).put("ms", 10);
        Result progressed = client.call("tools/call", "v2__progress", progress, "p-2026s");
        assertThat(progressed.interim()).as("progress reached the client").isNotEmpty();
        received.addAll(progressed.interim());

        List<CountingStep.Seen> seen = counting.seenBy(conn.id());
        assertThat(seen).allMatch(s -> s.generation() == Exchange.Generation.STATELESS);
        assertThat(saw(seen, Relayed.Kind.INPUT_REQUEST, "sampling/createMessage")).as("%s", seen).isTrue();
        assertThat(saw(seen, Relayed.Kind.INPUT_REQUEST, "elicitation/create")).as("%s", seen).isTrue();
        assertThat(seen.stream().filter(s -> s.kind() == Relayed.Kind.INPUT_RESPONSE).count()).as("input responses").isEqualTo(2);
        assertThat(saw(seen, Relayed.Kind.NOTIFICATION, "notifications/progress")).as("%s", seen).isTrue();
        RelayCoverage.assertNothingEscaped(seen, received);
    }
}
