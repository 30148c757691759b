package gatehouse.gateway.inputrequests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/** The inputRequests keys and the binding of a state must not depend on anything but the request. */
class InputRequiredKeysTest {

    @Test
    void keysComeFromTheUpstreamsHintOrFromTheRequestsContent() {
        ObjectNode hinted = (ObjectNode) Json.tree("{\"message\":\"Name?\",\"_meta\":{\"io.gatehouse/inputKey\":\"user_name\"}}");
        assertThat(InputRequiredBridge.keyFor("elicitation/create", hinted, new HashMap<>())).isEqualTo("user_name");

        ObjectNode a = (ObjectNode) Json.tree("{\"message\":\"Name?\",\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}");
        ObjectNode sameReordered = (ObjectNode) Json.tree("{\"requestedSchema\":{\"properties\":{},\"type\":\"object\"},\"message\":\"Name?\"}");
        String key = InputRequiredBridge.keyFor("elicitation/create", a, new HashMap<>());
        assertThat(key).startsWith("elicitation-").hasSize("elicitation-".length() + 12);
        assertThat(InputRequiredBridge.keyFor("elicitation/create", sameReordered, new HashMap<>())).isEqualTo(key);
        assertThat(InputRequiredBridge.keyFor("sampling/createMessage", a, new HashMap<>())).startsWith("sampling-");
    }

    @Test
    void theSameQuestionAskedTwiceInOneCallGetsADistinctKey() {
        Map<String, Integer> seen = new HashMap<>();
        ObjectNode q = (ObjectNode) Json.tree("{\"message\":\"again?\"}");
        String first = InputRequiredBridge.keyFor("elicitation/create", q, seen);
        String second = InputRequiredBridge.keyFor("elicitation/create", q, seen);
        assertThat(second).isEqualTo(first + "-2");
    }

    @Test
    void hintsThatAreNotPlainKeysAreIgnored() {
        ObjectNode odd = (ObjectNode) Json.tree("{\"_meta\":{\"io.gatehouse/inputKey\":\"has space\"}}");
        assertThat(InputRequiredBridge.keyFor("roots/list", odd, new HashMap<>())).startsWith("roots-");
    }

    @Test
    void theBindingCoversConnectionServerMethodNameAndArguments() {
        ObjectNode call = (ObjectNode) Json.tree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"t\",\"arguments\":{\"b\":1,\"a\":2},\"_meta\":{\"progressToken\":5}}}");
        ObjectNode reordered = (ObjectNode) Json.tree("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":"
                + "{\"arguments\":{\"a\":2,\"b\":1},\"name\":\"t\"}}");
        ObjectNode otherArgs = (ObjectNode) Json.tree("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"t\",\"arguments\":{\"a\":3,\"b\":1}}}");
        String binding = InputRequiredBridge.binding("conn", "srv", call);
        assertThat(InputRequiredBridge.binding("conn", "srv", reordered)).isEqualTo(binding);
        assertThat(InputRequiredBridge.binding("conn", "srv", otherArgs)).isNotEqualTo(binding);
        assertThat(InputRequiredBridge.binding("conn2", "srv", call)).isNotEqualTo(binding);
        assertThat(InputRequiredBridge.binding("conn", "srv2", call)).isNotEqualTo(binding);
    }
}
