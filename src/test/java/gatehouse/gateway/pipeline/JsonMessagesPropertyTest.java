package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.platform.Json;

/**
 * Property-based fuzzing of the one parser every POSTed message meets: whatever the bytes, the
 * answer is a message or a 400 with a JSON-RPC parse or invalid-request error that says what is
 * wrong — never another exception (which would become a 500), never a silent acceptance of a
 * broken envelope — and the read limits hold exactly at their edges.
 */
class JsonMessagesPropertyTest {

    /** Parses, and checks that a refusal is the clear kind. Null when refused. */
    private static tools.jackson.databind.node.ObjectNode parseOrRefusal(byte[] body) {
        try {
            return JsonMessages.parse(body);
        } catch (HttpProblem p) {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.rpcCode()).isIn(JsonRpc.PARSE_ERROR, JsonRpc.INVALID_REQUEST);
            assertThat(p.getMessage()).matches("(?s)(Parse error|Invalid request): .+");
            return null;
        }
    }

    @Property(tries = 500)
    void anyBytesAreAMessageOrAClearRefusal(@ForAll byte[] body) {
        parseOrRefusal(body);
    }

    @Property(tries = 500)
    void anyTextIsAMessageOrAClearRefusal(@ForAll String text) {
        parseOrRefusal(text.getBytes(StandardCharsets.UTF_8));
    }

    /** JSON documents of every shape (not only broken bytes): the envelope is judged, never trusted. */
    @Property(tries = 1000)
    void anyJsonValueIsJudgedByTheEnvelopeRules(@ForAll("jsonValues") String json) {
        var msg = parseOrRefusal(json.getBytes(StandardCharsets.UTF_8));
        if (msg != null) {
            assertThat(JsonRpc.envelopeProblem(msg)).isNull();
            assertThat(msg.path("jsonrpc").asString()).isEqualTo("2.0");
        }
    }

    /** Near-valid requests: a real envelope with one field made hostile. */
    @Property(tries = 1000)
    void mutatedRequestsAreAcceptedOnlyWhenTheEnvelopeIsRight(@ForAll("jsonValues") String value,
                                                                @ForAll("envelopeFields") String field) {
        String json = switch (field) {
            case "jsonrpc" -> "{\"jsonrpc\":" + value + ",\"id\":1,\"method\":\"ping\"}";
            case "id" -> "{\"jsonrpc\":\"2.0\",\"id\":" + value + ",\"method\":\"ping\"}";
            case "method" -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":" + value + "}";
            case "params" -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":" + value + "}";
            default -> "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + value + "}";
        };
        var msg = parseOrRefusal(json.getBytes(StandardCharsets.UTF_8));
        var node = Json.tree(value);
        boolean shouldPass = switch (field) {
            case "jsonrpc" -> node.isString() && "2.0".equals(node.stringValue());
            case "id" -> node.isString() || node.isIntegralNumber();
            case "method" -> node.isString() && !node.stringValue().isEmpty();
            case "params" -> node.isObject();
            default -> true;
        };
        assertThat(msg != null).as("%s accepted", json).isEqualTo(shouldPass);
    }

    @Property(tries = 60)
    void nestingIsAcceptedExactlyUpToTheLimit(@ForAll @IntRange(min = 1, max = 400) int depth) {
        // The envelope and params take two levels; the rest is the arguments' nesting.
        String open = "[".repeat(depth);
        String close = "]".repeat(depth);
        String json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"a\":" + open + close + "}}";
        int total = depth + 2;
        if (total <= Json.MAX_NESTING_DEPTH) {
            assertThat(JsonMessages.parse(json.getBytes(StandardCharsets.UTF_8))).isNotNull();
        } else {
            assertThatThrownBy(() -> JsonMessages.parse(json.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.rpcCode()).isEqualTo(JsonRpc.PARSE_ERROR))
                    .hasMessageContaining("nesting depth").hasMessageContaining(String.valueOf(Json.MAX_NESTING_DEPTH));
        }
    }

    @Property(tries = 60)
    void numbersAreAcceptedExactlyUpToTheDigitLimit(@ForAll @IntRange(min = 1, max = 3000) int digits) {
        String json = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"n\":" + "9".repeat(digits) + "}}";
        if (digits <= Json.MAX_NUMBER_LENGTH) {
            assertThat(JsonMessages.parse(json.getBytes(StandardCharsets.UTF_8))).isNotNull();
        } else {
            assertThatThrownBy(() -> JsonMessages.parse(json.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.rpcCode()).isEqualTo(JsonRpc.PARSE_ERROR))
                    .hasMessageContaining("Number value length");
        }
    }

    @Provide
    Arbitrary<String> envelopeFields() {
        return Arbitraries.of("jsonrpc", "id", "method", "params", "result");
    }

    /** Arbitrary JSON values as text: scalars of every kind, nested arrays and objects, odd strings. */
    @Provide
    Arbitrary<String> jsonValues() {
        return value(4);
    }

    private static Arbitrary<String> value(int depth) {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-0", "1e400", "-1.5e-300", "2.0", "\"2.0\"", "\"\"", "\"ping\"",
                        "9223372036854775808", "-9223372036854775809", "1.0", "\"\\u0000\"", "\"\\ud800\""),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "0"),
                Arbitraries.strings().ofMaxLength(40).map(Json::string));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> value(depth - 1));
        Arbitrary<String> arrays = inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> objects = Arbitraries.maps(Arbitraries.strings().ofMaxLength(12), inner).ofMaxSize(4)
                .map(m -> {
                    StringBuilder b = new StringBuilder("{");
                    m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(Json.string(k)).append(':').append(v));
                    return b.append('}').toString();
                });
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, scalars), net.jqwik.api.Tuple.of(2, arrays), net.jqwik.api.Tuple.of(2, objects));
    }
}
