package gatehouse.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class RawResultsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theResultGoesOutAsItCameWithTheRestSerializedFromTheTree() {
        String result = "{ \"content\" : [ {\"type\":\"text\",\"text\":\"h\\u00e9llo \\\"x\\\" ünï\"} ], \"isError\":false, \"n\": 1.50 }";
        byte[] body = utf8("{\"jsonrpc\":\"2.0\",\"id\":17,\"result\":" + result + "}");
        JsonNode parsed = RawResults.read(body, 0);
        assertThat(parsed).isEqualTo(Json.MAPPER.readTree(body));
        RawResults.Raw raw = RawResults.take();
        assertThat(raw).isNotNull();
        assertThat(RawResults.take()).as("taken once").isNull();
        assertThat(raw.result()).isSameAs(parsed.get("result"));

        ObjectNode response = (ObjectNode) parsed;
        response.put("id", "client-7"); // the id is restored in place on the way back
        byte[] out = RawResults.write(response, raw);
        assertThat(new String(out, StandardCharsets.UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"client-7\",\"result\":" + result + "}");
        assertThat(Json.MAPPER.readTree(out)).isEqualTo(response);
    }

    @Test
    void aReplacedResultIsSerializedFromTheTree() {
        byte[] body = utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"secret@example.com\"}]}}");
        ObjectNode parsed = (ObjectNode) RawResults.read(body, 0);
        RawResults.Raw raw = RawResults.take();
        ObjectNode copy = parsed.deepCopy(); // what a step that changes a message does
        ((ObjectNode) copy.get("result").get("content").get(0)).put("text", "<EMAIL>");
        assertThat(RawResults.write(copy, raw)).isNull();
        parsed.set("result", copy.get("result"));
        assertThat(RawResults.write(parsed, raw)).isNull();
        assertThat(RawResults.write(parsed, null)).isNull();
    }

    @Test
    void aRepeatedNameKeepsNoBytesSoNothingTheStepsDidNotSeeGoesOut() {
        byte[] body = utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"a@b.example\"}],"
                + "\"content\":[{\"type\":\"text\",\"text\":\"clean\"}]}}");
        JsonNode parsed = RawResults.read(body, 0);
        assertThat(parsed).isEqualTo(Json.MAPPER.readTree(body)); // last one wins, as readTree has it
        assertThat(RawResults.take()).isNull();
    }

    @Test
    void anythingButOneObjectIsReadAsReadTreeReadsIt() {
        assertThat(RawResults.readObject(utf8("{\"id\":1,\"result\":{}} {\"id\":2}"), 0)).isNull();
        assertThat(RawResults.take()).isNull();
        assertThat(RawResults.read(utf8("[{\"id\":1,\"result\":{}}]"), 0).isArray()).isTrue();
        assertThat(RawResults.take()).isNull();
        assertThat(RawResults.read(utf8("{\"id\":1,\"result\":\"text\"}"), 0).get("result").asString()).isEqualTo("text");
        assertThat(RawResults.take()).as("only object results are kept").isNull();
        assertThatThrownBy(() -> RawResults.read(utf8("{\"id\":1,\"result\":{"), 0)).isInstanceOf(JacksonException.class);
        assertThat(RawResults.take()).isNull();
    }

    /**
     * A thread that read an answer and never took its bytes (a list read while routing, a pooled
     * thread) still holds them when its next call's answer arrives another way (stdio, an event
     * stream): those bytes never go out for another result, however alike the two are.
     */
    @Test
    void bytesLeftFromAnEarlierReadNeverGoOutForAnotherResult() {
        byte[] earlier = utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ann@example.com\"}]}}");
        RawResults.read(earlier, 0);
        ObjectNode other = (ObjectNode) Json.MAPPER.readTree(earlier); // equal, not the same node
        ((ObjectNode) other.get("result").get("content").get(0)).put("text", "<EMAIL_ADDRESS>");
        RawResults.Raw stale = RawResults.take();
        assertThat(stale).isNotNull();
        assertThat(RawResults.write(other, stale)).isNull();
        ObjectNode equal = (ObjectNode) Json.MAPPER.readTree(earlier);
        assertThat(RawResults.write(equal, stale)).as("only the very node read from the bytes").isNull();
    }

    @Test
    void aSmallAnswerIsReadAndWrittenThePlainWay() {
        byte[] small = utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[]}}");
        assertThat(RawResults.read(small)).isEqualTo(Json.MAPPER.readTree(small));
        assertThat(RawResults.take()).isNull();
        byte[] large = utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\""
                + "x".repeat(RawResults.MIN_BYTES) + "\"}]}}");
        assertThat(RawResults.read(large)).isEqualTo(Json.MAPPER.readTree(large));
        assertThat(RawResults.take()).isNotNull();
    }

    @Test
    void aNewReadForgetsTheLastOne() {
        RawResults.read(utf8("{\"id\":1,\"result\":{\"a\":1}}"), 0);
        RawResults.read(utf8("{\"id\":2,\"error\":{\"code\":1,\"message\":\"x\"}}"), 0);
        assertThat(RawResults.take()).isNull();
    }

    private static final String BIG = "lorem ipsum dolor sit amet ".repeat(200);

    private static byte[] answer(String result) {
        return utf8("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":" + result + "}");
    }

    /**
     * Inside a pass-through a tool result is not parsed: the response holds a summary with its
     * isError only, and the client gets exactly the bytes that came; outside one, and for any
     * other method, the whole tree is built as before.
     */
    @Test
    void aPassedThroughToolResultIsReadInSummaryAndGoesOutAsItCame() {
        String result = "{\"content\":[{\"type\":\"text\",\"text\":\"" + BIG + "\"}],\"isError\":true,\"_meta\":{\"k\":[1,2]}}";
        byte[] body = answer(result);
        ObjectNode message = (ObjectNode) RawResults.passThrough(() -> RawResults.read(body, "tools/call"));
        assertThat(message.get("result")).isEqualTo(Json.object().put("isError", true));
        assertThat(message.get("id").asInt()).isEqualTo(5);
        RawResults.Raw raw = RawResults.take();
        assertThat(raw.summary()).isTrue();
        assertThat(raw.result()).isSameAs(message.get("result"));
        message.put("id", "c-1");
        assertThat(new String(RawResults.write(message, raw), StandardCharsets.UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"c-1\",\"result\":" + result + "}");

        assertThat(RawResults.read(body, "tools/call")).as("outside a pass-through").isEqualTo(Json.MAPPER.readTree(body));
        assertThat(RawResults.take().summary()).isFalse();
        assertThat(RawResults.passThrough(() -> RawResults.read(body, "resources/read"))).isEqualTo(Json.MAPPER.readTree(body));
        assertThat(RawResults.take().summary()).isFalse();
        assertThat(RawResults.passThrough(() -> RawResults.read(body, "initialize"))).isEqualTo(Json.MAPPER.readTree(body));
        assertThat(RawResults.take().summary()).isFalse();
    }

    /** What the gateway must see whole is read whole even inside a pass-through. */
    @Test
    void aResultThatAsksForMoreARepeatedNameOrAnErrorIsReadWhole() {
        byte[] asks = answer("{\"resultType\":\"input_required\",\"inputRequests\":{\"a\":{\"method\":\"x\"}},\"pad\":\"" + BIG + "\"}");
        assertThat(RawResults.passThrough(() -> RawResults.read(asks, "tools/call"))).isEqualTo(Json.MAPPER.readTree(asks));
        assertThat(RawResults.take().summary()).isFalse();

        byte[] repeated = answer("{\"content\":[{\"type\":\"text\",\"text\":\"a@b.example\",\"text\":\"" + BIG + "\"}]}");
        assertThat(RawResults.passThrough(() -> RawResults.read(repeated, "tools/call"))).isEqualTo(Json.MAPPER.readTree(repeated));
        assertThat(RawResults.take()).as("a repeated name deep in the result keeps no bytes").isNull();
        byte[] repeatedIsError = answer("{\"isError\":false,\"content\":[],\"isError\":true,\"pad\":\"" + BIG + "\"}");
        assertThat(RawResults.passThrough(() -> RawResults.read(repeatedIsError, "tools/call")))
                .isEqualTo(Json.MAPPER.readTree(repeatedIsError));
        assertThat(RawResults.take()).isNull();

        byte[] error = utf8("{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":-1,\"message\":\"" + BIG + "\"}}");
        assertThat(RawResults.passThrough(() -> RawResults.read(error, "tools/call"))).isEqualTo(Json.MAPPER.readTree(error));
        assertThat(RawResults.take()).isNull();
        byte[] broken = utf8("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"content\":[\"" + BIG + "\"}}");
        assertThatThrownBy(() -> RawResults.passThrough(() -> RawResults.read(broken, "tools/call"))).isInstanceOf(JacksonException.class);
    }

    /** A summary is never sent as the result: a copy of it (a step that changed the answer) fails loudly instead. */
    @Test
    void aCopyOfASummaryIsNeverSerializedAsTheResult() {
        byte[] body = answer("{\"content\":[{\"type\":\"text\",\"text\":\"" + BIG + "\"}]}");
        ObjectNode message = (ObjectNode) RawResults.passThrough(() -> RawResults.read(body, "tools/call"));
        RawResults.Raw raw = RawResults.take();
        ObjectNode copy = message.deepCopy();
        assertThatThrownBy(() -> RawResults.write(copy, raw)).isInstanceOf(IllegalStateException.class);
    }

    /** The envelope around the result's bytes is written as the mapper writes it, whatever the id and other members hold. */
    @Test
    void theEnvelopeIsWrittenAsTheMapperWritesIt() {
        String[] ids = {"17", "-3", "0", String.valueOf(Long.MAX_VALUE), "123456789012345678901234567890", "1.5", "\"client-7\"",
                "\"a/b\"", "\"h\u00e9\"", "\"q\\\"x\\\\\"", "\"" + "x".repeat(100) + "\"", "\"\u007f\\u0001\"", "null", "true",
                "\"\"", "{\"k\":[1,\"v\"]}"};
        for (String id : ids) {
            for (String name : new String[] {"jsonrpc", "n\u00e4me", "a\\\"b", "a/b"}) {
                byte[] body = utf8("{\"" + name + "\":\"2.0\",\"id\":" + id + ",\"result\":{\"a\":[1,2]},\"x\":" + id + "}");
                JsonNode parsed = RawResults.read(body, 0);
                RawResults.Raw raw = RawResults.take();
                assertThat(raw).as(id).isNotNull();
                assertThat(new String(RawResults.write((ObjectNode) parsed, raw), StandardCharsets.UTF_8)).as(id)
                        .isEqualTo(new String(Json.bytes(parsed), StandardCharsets.UTF_8));
            }
        }
    }

    /** The answer is written in three parts (envelope before, the result's bytes, envelope after), never one array. */
    @Test
    void thePartsWriteTheSameBytesAsTheWholeAnswer() throws Exception {
        String result = "{\"content\":[{\"type\":\"text\",\"text\":\"" + BIG + "\"}]}";
        byte[] body = utf8("{\"jsonrpc\":\"2.0\",\"result\":" + result + ",\"id\":5}");
        ObjectNode message = (ObjectNode) RawResults.passThrough(() -> RawResults.read(body, "tools/call"));
        RawResults.Raw raw = RawResults.take();
        RawResults.Parts parts = RawResults.parts(message, raw);
        assertThat(new String(parts.before(), StandardCharsets.UTF_8)).isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":");
        assertThat(new String(parts.after(), StandardCharsets.UTF_8)).isEqualTo(",\"id\":5}");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        parts.writeTo(out);
        assertThat(out.toByteArray()).isEqualTo(body).isEqualTo(RawResults.write(message, raw));
        assertThat(parts.length()).isEqualTo(body.length);
    }
}
