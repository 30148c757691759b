package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import gatehouse.gateway.pipeline.CountingStep;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Relayed;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Drives the relay-coverage scenarios of {@link UpstreamContractTest} and checks what the counting step saw. */
final class RelayCoverage {
    private RelayCoverage() {
    }

    /** A client's answer to sampling, elicitation and roots requests, whichever generation asks. */
    static JsonNode answer(ObjectNode request) {
        return switch (request.path("method").asString("")) {
            case "sampling/createMessage" -> Json.tree("""
                    {"role":"assistant","content":{"type":"text","text":"Paris"},"model":"test-model","stopReason":"endTurn"}""");
            case "elicitation/create" -> Json.tree("""
                    {"action":"accept","content":{"name":"Ada","username":"ada","email":"ada@example.com"}}""");
            case "roots/list" -> Json.tree("""
                    {"roots":[{"uri":"file:///work","name":"work"}]}""");
            default -> throw new IllegalStateException("unexpected server request " + request);
        };
    }

    static void drain(McpTestClient.EventStream stream, List<ObjectNode> into) {
        for (ObjectNode m = stream.poll(Duration.ofMillis(100)); m != null; m = stream.poll(Duration.ofMillis(20))) {
            into.add(m);
        }
    }

    static boolean saw(List<CountingStep.Seen> seen, String method) {
        return seen.stream().anyMatch(s -> method.equals(s.method()));
    }

    private static boolean saw(List<CountingStep.Seen> seen, Relayed.Kind kind, String method) {
        return seen.stream().anyMatch(s -> s.kind() == kind && (method == null || method.equals(s.method())));
    }

    static void assertSessionCoverage(List<CountingStep.Seen> seen) {
        assertThat(seen).allMatch(s -> s.generation() == Exchange.Generation.SESSION);
        for (String request : List.of("sampling/createMessage", "elicitation/create", "roots/list")) {
            assertThat(saw(seen, Relayed.Kind.SERVER_REQUEST, request)).as("server request %s in %s", request, seen).isTrue();
        }
        assertThat(seen.stream().filter(s -> s.kind() == Relayed.Kind.CLIENT_ANSWER).count()).as("client answers").isEqualTo(3);
        assertThat(saw(seen, Relayed.Kind.NOTIFICATION, "notifications/progress")).as("progress in %s", seen).isTrue();
        // Over the legacy SSE transport log messages are not tied to a call and travel on the GET stream.
        assertThat(saw(seen, Relayed.Kind.NOTIFICATION, "notifications/message") || saw(seen, Relayed.Kind.STREAM_EVENT,
                "notifications/message")).as("logging in %s", seen).isTrue();
        assertThat(saw(seen, "notifications/resources/updated")).as("resource updates in %s", seen).isTrue();
        assertThat(saw(seen, "notifications/tools/list_changed")).as("list changes in %s", seen).isTrue();
    }

    /**
     * @param logsBelongToCalls whether the upstream transport ties log messages to the call they
     *                          come from (the legacy SSE transport does not, and a stateless client
     *                          has no stream for anything else)
     */
    static void assertStatelessCoverage(List<CountingStep.Seen> seen, boolean logsBelongToCalls) {
        assertThat(seen).allMatch(s -> s.generation() == Exchange.Generation.STATELESS);
        for (String request : List.of("sampling/createMessage", "elicitation/create", "roots/list")) {
            assertThat(saw(seen, Relayed.Kind.INPUT_REQUEST, request)).as("input request %s in %s", request, seen).isTrue();
        }
        assertThat(seen.stream().filter(s -> s.kind() == Relayed.Kind.INPUT_RESPONSE).count()).as("input responses").isEqualTo(3);
        assertThat(saw(seen, Relayed.Kind.NOTIFICATION, "notifications/progress")).as("progress in %s", seen).isTrue();
        if (logsBelongToCalls) {
            assertThat(saw(seen, Relayed.Kind.NOTIFICATION, "notifications/message")).as("logging in %s", seen).isTrue();
        }
        assertThat(saw(seen, Relayed.Kind.STREAM_EVENT, "notifications/resources/updated")).as("resource updates in %s", seen).isTrue();
        assertThat(saw(seen, Relayed.Kind.STREAM_EVENT, "notifications/tools/list_changed")).as("list changes in %s", seen).isTrue();
    }

    /**
     * Every message the client received outside a final answer was shown to the steps: for each
     * method, the step saw at least as many as arrived.
     */
    static void assertNothingEscaped(List<CountingStep.Seen> seen, List<ObjectNode> received) {
        Map<String, Integer> arrived = new HashMap<>();
        for (ObjectNode m : received) {
            String method = m.path("method").asString(null);
            if (method != null && !method.equals("notifications/subscriptions/acknowledged")) {
                arrived.merge(method, 1, Integer::sum);
            }
        }
        assertThat(arrived).as("messages received").isNotEmpty();
        arrived.forEach((method, n) -> assertThat(seen.stream().filter(s -> method.equals(s.method())).count())
                .as("%s: %d arrived, the steps saw", method, n).isGreaterThanOrEqualTo(n));
    }

    /** A 2026-07-28 client, written by hand: envelope, headers, input rounds, a listen stream. */
    static final class Stateless {
        private final McpTestClient client;

        Stateless(McpTestClient client) {
            this.client = client;
        }

        Result call(String method, String name, ObjectNode params, String progressToken) {
            ObjectNode p = params.deepCopy();
            if (name != null) {
                p.put("name", name);
                if (!p.has("arguments")) {
                    p.putObject("arguments");
                }
            }
            ObjectNode meta = p.get("_meta") instanceof ObjectNode m ? m : p.putObject("_meta");
            meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
            meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, McpTestClient.capabilities("sampling", "elicitation", "roots"));
            meta.put(StatelessEnvelope.LOG_LEVEL, "debug");
            if (progressToken != null) {
                meta.put("progressToken", progressToken);
            }
            return client.send(client.request(method, p), headers(method, name));
        }

        private static Map<String, String> headers(String method, String name) {
            Map<String, String> h = new HashMap<>();
            h.put("MCP-Protocol-Version", "2026-07-28");
            h.put("Mcp-Method", method);
            if (name != null) {
                h.put("Mcp-Name", name);
            }
            return h;
        }

        /** Calls a tool and answers its input rounds until it completes. */
        Result callUntilComplete(String tool, List<ObjectNode> received) {
            Result r = call("tools/call", tool, Json.object(), null);
            for (int round = 0; round < 5 && "input_required".equals(r.result().path("resultType").asString("")); round++) {
                received.addAll(r.interim());
                ObjectNode answers = Json.object();
                for (var e : r.result().path("inputRequests").properties()) {
                    answers.set(e.getKey(), answer((ObjectNode) e.getValue()));
                    received.add((ObjectNode) e.getValue()); // what the client was asked, as a relayed message
                }
                ObjectNode retry = Json.object();
                retry.set("inputResponses", answers);
                retry.set("requestState", r.result().get("requestState"));
                r = call("tools/call", tool, retry, null);
            }
            received.addAll(r.interim());
            return r;
        }

        /** Opens subscriptions/listen for tool list changes and one resource; returns once acknowledged. */
        Listen listen(String uri) {
            ObjectNode notifications = Json.object();
            notifications.put("toolsListChanged", true);
            notifications.putArray("resourceSubscriptions").add(uri);
            ObjectNode p = Json.object();
            p.set("notifications", notifications);
            ObjectNode meta = p.putObject("_meta");
            meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
            meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, Json.object());
            List<ObjectNode> events = new CopyOnWriteArrayList<>();
            CompletableFuture<Result> done = client.postAsync(Json.bytes(client.request("subscriptions/listen", p)),
                    headers("subscriptions/listen", null), events::add);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.stream()
                    .anyMatch(m -> "notifications/subscriptions/acknowledged".equals(m.path("method").asString(null))));
            return new Listen(done, events);
        }
    }

    record Listen(CompletableFuture<Result> done, List<ObjectNode> events) {
        List<ObjectNode> end(Duration wait) {
            McpTestClient.join(done, wait);
            return events.stream().filter(m -> m.has("method")).toList();
        }
    }
}
