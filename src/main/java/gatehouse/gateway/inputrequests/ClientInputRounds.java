package gatehouse.gateway.inputrequests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.springframework.stereotype.Component;

import gatehouse.gateway.protocol.ErrorReplies;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RelayScreen;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.upstream.CallHandle;
import gatehouse.gateway.upstream.MessageSink;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The other direction: a 2026 upstream answered a 2025 client's request with {@code input_required}.
 * Each input request goes to the client as a real server-to-client request on the request's own
 * stream (through the session, which checks the client declared the capability and maps the
 * answer back), and once every answer is in, the original request is sent again with
 * {@code inputResponses} and the upstream's {@code requestState}, until the upstream completes.
 * The loop lives inside the client's request: nothing is parked.
 */
@Component
public class ClientInputRounds {
    private static final int MAX_ROUNDS = 8;
    /** A human answers elicitations; the 2025 default call timeout is too short for one leg. */
    private static final Duration LEG_TIMEOUT = Duration.ofMinutes(10);
    private static final long STATE_ONLY_PACING_MS = 100;

    private final Upstreams upstreams;
    private final ErrorReplies errors;
    private final AtomicLong ids = new AtomicLong();

    /** {@code errors}: the pipeline's one translation of failures into error answers. */
    public ClientInputRounds(Upstreams upstreams, ErrorReplies errors) {
        this.upstreams = upstreams;
        this.errors = errors;
    }

    public static boolean inputRequired(ObjectNode response) {
        return response != null && "input_required".equals(response.path("result").path("resultType").asString(""));
    }

    /**
     * Completes {@code response} (an input_required answer to {@code request}) by asking the client.
     * Returns the final response for the client, or null when the call was cancelled. Each input
     * request is shown to {@code screen} first; one it refuses counts as a failed answer.
     */
    public ObjectNode complete(DownstreamSession session, UpstreamSession upstream, ObjectNode request, ObjectNode response,
                               Consumer<ObjectNode> interim, MessageSink related, CallHandle handle, RelayScreen screen) {
        JsonNode clientId = request.get("id");
        for (int round = 1; inputRequired(response); round++) {
            if (round > MAX_ROUNDS) {
                return errors.reply(clientId, JsonRpc.INTERNAL_ERROR, "the upstream asked for input more than " + MAX_ROUNDS + " times");
            }
            ObjectNode result = (ObjectNode) response.get("result");
            ObjectNode answers = Json.object();
            Map<String, CompletableFuture<ObjectNode>> waiting = new LinkedHashMap<>();
            if (result.get("inputRequests") instanceof ObjectNode requests) {
                for (var e : requests.properties()) {
                    if (!(e.getValue() instanceof ObjectNode ir) || JsonRpc.method(ir) == null) {
                        return errors.reply(clientId, JsonRpc.INTERNAL_ERROR, "the upstream sent a malformed input request '" + e.getKey() + "'");
                    }
                    ObjectNode asked = screen.screen(RelayScreen.Flow.INPUT_REQUEST, upstream.server().id(), ir);
                    if (asked == null || JsonRpc.isResponse(asked)) {
                        waiting.put(e.getKey(), CompletableFuture.completedFuture(asked != null ? asked
                                : JsonRpc.error(null, JsonRpc.INTERNAL_ERROR, "withheld by the gateway")));
                        continue;
                    }
                    String id = "gh-input-" + ids.incrementAndGet();
                    CompletableFuture<ObjectNode> answer = upstream.expectClientAnswer(id);
                    waiting.put(e.getKey(), answer);
                    session.relay(upstream, JsonRpc.request(id, JsonRpc.method(asked), asked.get("params")), interim, RelayScreen.NONE);
                }
            }
            if (waiting.isEmpty()) {
                sleep(STATE_ONLY_PACING_MS); // a requestState-only round: the upstream just wants to be asked again
            }
            List<String> failures = new ArrayList<>();
            for (var e : waiting.entrySet()) {
                ObjectNode answer;
                try {
                    answer = e.getValue().get(LEG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException ex) {
                    return errors.reply(clientId, JsonRpc.REQUEST_TIMEOUT, "the client did not answer input request '" + e.getKey()
                            + "' within " + LEG_TIMEOUT.toMinutes() + " minutes");
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return null;
                } catch (ExecutionException ex) {
                    return errors.reply(clientId, JsonRpc.INTERNAL_ERROR, "input request '" + e.getKey() + "' failed: " + ex.getCause());
                }
                if (answer.get("result") != null) {
                    answers.set(e.getKey(), answer.get("result"));
                } else {
                    failures.add(e.getKey() + ": " + answer.path("error").path("message").asString("refused"));
                }
            }
            if (!failures.isEmpty()) {
                return errors.reply(clientId, JsonRpc.INTERNAL_ERROR, "the client could not answer what the upstream asked for ("
                        + String.join("; ", failures) + ")");
            }
            ObjectNode retry = request.deepCopy();
            ObjectNode params = JsonRpc.params(retry) == null ? retry.putObject("params") : JsonRpc.params(retry);
            params.remove("requestState");
            params.remove("inputResponses");
            if (!answers.isEmpty()) {
                params.set("inputResponses", answers);
            }
            if (result.get("requestState") != null && result.get("requestState").isString()) {
                params.set("requestState", result.get("requestState"));
            }
            response = upstream.call(retry, upstreams.callTimeout(), related, handle);
            if (response == null) {
                return null;
            }
        }
        return response;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
