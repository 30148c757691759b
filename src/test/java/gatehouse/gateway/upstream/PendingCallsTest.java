package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

class PendingCallsTest {
    private final PendingCalls calls = new PendingCalls();

    @Test
    void aResponseCompletesTheCallItsIdNamesAndNoOther() throws Exception {
        PendingCall first = calls.open(null, null);
        PendingCall second = calls.open(null, null);
        assertThat(second.upstreamId).isGreaterThan(first.upstreamId);

        ObjectNode answer = JsonRpc.result(Json.MAPPER.valueToTree(second.upstreamId), Json.object());
        assertThat(calls.answer(answer)).isTrue();
        assertThat(second.result.get()).isSameAs(answer);
        assertThat(first.done()).isFalse();

        calls.finished(second);
        assertThat(calls.answer(answer)).as("a finished call takes no answer").isFalse();
        assertThat(calls.answer(JsonRpc.result(StringNode.valueOf("1"), Json.object()))).as("ids are numbers").isFalse();
    }

    @Test
    void progressFindsItsCallAndGetsTheClientsTokenBack() {
        StringNode clientToken = StringNode.valueOf("client-token-7");
        PendingCall call = calls.open((from, m) -> { }, clientToken);
        ObjectNode progress = JsonRpc.notification("notifications/progress", Json.object());
        ((ObjectNode) progress.get("params")).put("progressToken", PendingCalls.progressToken(call));

        assertThat(calls.isOurs(progress)).isTrue();
        assertThat(calls.progressOf(progress)).isSameAs(call);
        assertThat(progress.path("params").get("progressToken")).isEqualTo(clientToken);

        ObjectNode foreign = JsonRpc.notification("notifications/progress", Json.object());
        ((ObjectNode) foreign.get("params")).put("progressToken", "someone-elses");
        assertThat(calls.isOurs(foreign)).isFalse();

        calls.finished(call);
        ObjectNode late = JsonRpc.notification("notifications/progress", Json.object());
        ((ObjectNode) late.get("params")).put("progressToken", PendingCalls.progressToken(call));
        assertThat(calls.isOurs(late)).isTrue();
        assertThat(calls.progressOf(late)).as("the call is over").isNull();
    }

    @Test
    void theLatestCallCountsOnlyWhileInFlightAndFailAllEndsEveryCall() {
        PendingCall a = calls.open((from, m) -> { }, null);
        PendingCall b = calls.open(null, null);
        assertThat(calls.latestInFlight()).isSameAs(b);
        assertThat(calls.inFlightWithCaller()).containsExactly(a);

        calls.failAll("process died", false);
        assertThat(a.result).isCompletedExceptionally();
        assertThat(b.result).isCompletedExceptionally();
        assertThat(calls.latestInFlight()).isNull();
        assertThat(calls.inFlightWithCaller()).isEmpty();
    }
}
