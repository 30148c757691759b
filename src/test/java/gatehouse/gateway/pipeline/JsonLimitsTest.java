package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.transport.HttpProblem;

/** The shape limits on a client's message, each attacked at its edge and one past it. */
class JsonLimitsTest {
    private static final JsonLimits SMALL = new JsonLimits(6, 10, 12, 100);

    private static byte[] call(String arguments) {
        return ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":" + arguments + "}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void refused(byte[] body, String what, String setting) {
        assertThatThrownBy(() -> JsonMessages.parse(body, SMALL)).isInstanceOfSatisfying(HttpProblem.class, p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.rpcCode()).isEqualTo(JsonRpc.INVALID_REQUEST);
            assertThat(p.getMessage()).contains(what).endsWith("(limit set by gatehouse.mcp.json." + setting + ")");
        });
    }

    private static String array(int n) {
        return "[" + "1,".repeat(n - 1) + "1]";
    }

    private static String object(int members) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < members; i++) {
            b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        return b.append('}').toString();
    }

    @Test
    void anArrayMayHoldTheLimitAndNotOneMore() {
        assertThat(JsonMessages.parse(call("{\"a\":" + array(10) + "}"), SMALL)).isNotNull();
        refused(call("{\"a\":" + array(11) + "}"), "an array has more than 10 elements", "max-array-length");
        // also where the envelope checks would never look
        refused(call("{\"a\":{\"b\":" + array(11) + "}}"), "more than 10 elements", "max-array-length");
    }

    @Test
    void anObjectMayHoldTheLimitAndNotOneMore() {
        assertThat(JsonMessages.parse(call(object(12)), SMALL)).isNotNull();
        refused(call(object(13)), "an object has more than 12 members", "max-object-members");
    }

    @Test
    void stringsAndNamesAreLimited() {
        assertThat(JsonMessages.parse(call("{\"a\":\"" + "x".repeat(100) + "\"}"), SMALL)).isNotNull();
        refused(call("{\"a\":\"" + "x".repeat(101) + "\"}"), "a string is longer than 100 characters", "max-string-length");
        refused(call("{\"" + "k".repeat(101) + "\":1}"), "a member name is longer than 100 characters", "max-string-length");
    }

    @Test
    void nestingIsLimitedBelowTheParsersOwnLimit() {
        // message(1) > params(2) > the arguments value(3) > 3 more levels = 6
        assertThat(JsonMessages.parse(call("[[[[1]]]]"), SMALL)).isNotNull();
        refused(call("[[[[[1]]]]]"), "nested more than 6 deep", "max-depth");
    }

    @Test
    void theDefaultsAcceptWhatTheParserAcceptsAndRefuseHugeArrays() {
        String deep = "[".repeat(120) + "]".repeat(120);
        assertThat(JsonMessages.parse(call(deep), JsonLimits.DEFAULTS)).isNotNull();
        assertThatThrownBy(() -> JsonMessages.parse(call(array(100_001)), JsonLimits.DEFAULTS))
                .hasMessageContaining("an array has more than 100000 elements").hasMessageContaining("gatehouse.mcp.json.max-array-length");
    }

    @Test
    void theShortestBodyOverEachLimitIsStillWalked() {
        // bodies shorter than JsonLimits.shortestOver are not walked: the shortest one over each limit is
        assertOver(new JsonLimits(2, 100, 100, 100), "[[[]]]", "max-depth");
        assertOver(new JsonLimits(10, 1, 100, 100), "[1,1]", "max-array-length");
        assertOver(new JsonLimits(10, 100, 8, 100), "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1}",
                "max-object-members");
        assertOver(new JsonLimits(10, 100, 100, 64), "\"" + "\u00e9".repeat(65) + "\"", "max-string-length");
        assertOver(new JsonLimits(10, 100, 100, 64), "\"" + "x".repeat(65) + "\"", "max-string-length");
    }

    private static void assertOver(JsonLimits limits, String json, String setting) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        assertThat(bytes.length).isGreaterThanOrEqualTo(limits.shortestOver());
        assertThatThrownBy(() -> limits.check(gatehouse.platform.Json.MAPPER.readTree(bytes), bytes.length))
                .hasMessageContaining("gatehouse.mcp.json." + setting);
    }

    @Test
    void nonsenseSettingsAreRefusedAtStart() {
        assertThatThrownBy(() -> new JsonLimits(500, 10, 10, 100)).hasMessageContaining("max-depth must be between 2 and 128");
        assertThatThrownBy(() -> new JsonLimits(10, 0, 10, 100)).hasMessageContaining("max-array-length must be at least 1");
    }
}
