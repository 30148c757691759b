package gatehouse.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.StatelessEnvelope.Headers;
import gatehouse.gateway.protocol.StatelessEnvelope.Refused;
import gatehouse.gateway.protocol.StatelessEnvelope.Sessionful;
import gatehouse.gateway.protocol.StatelessEnvelope.Stateless;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

class StatelessEnvelopeTest {
    private static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";

    private static ObjectNode msg(String json) {
        return (ObjectNode) Json.tree(json);
    }

    private static Headers modern(String method, String name) {
        return new Headers("2026-07-28", method, name, false);
    }

    @Test
    void aRequestWithoutEnvelopeOrModernHeaderIs2025Traffic() {
        assertThat(StatelessEnvelope.classify(new Headers(null, null, null, false),
                msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}"))).isInstanceOf(Sessionful.class);
        assertThat(StatelessEnvelope.classify(new Headers("2025-11-25", null, null, true),
                msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"))).isInstanceOf(Sessionful.class);
    }

    @Test
    void anEnvelopeMakesARequestStatelessAndTheSessionHeaderKeepsItSessionful() {
        ObjectNode m = msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{" + META + "}}");
        assertThat(StatelessEnvelope.classify(modern("tools/list", null), m)).isInstanceOf(Stateless.class)
                .extracting(c -> ((Stateless) c).version()).isEqualTo("2026-07-28");
        assertThat(StatelessEnvelope.classify(new Headers(null, null, null, true), m)).isInstanceOf(Sessionful.class);
    }

    @Test
    void aModernHeaderWithoutEnvelopeIsInvalidParams() {
        Refused r = (Refused) StatelessEnvelope.classify(modern("tools/list", null),
                msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo(JsonRpc.INVALID_PARAMS);
        assertThat(r.message()).contains("_meta");
    }

    @Test
    void anEnvelopeWithoutCapabilitiesIsInvalidButClientInfoIsOptional() {
        Refused r = (Refused) StatelessEnvelope.classify(modern("tools/list", null), msg("{\"jsonrpc\":\"2.0\",\"id\":1,"
                + "\"method\":\"tools/list\",\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}"));
        assertThat(r.code()).isEqualTo(JsonRpc.INVALID_PARAMS);
        assertThat(r.message()).contains("clientCapabilities");
        assertThat(StatelessEnvelope.classify(modern("tools/list", null),
                msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{" + META + "}}"))).isInstanceOf(Stateless.class);
    }

    @Test
    void headerAndBodyMustAgree() {
        ObjectNode m = msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{" + META + "}}");
        assertThat(((Refused) StatelessEnvelope.classify(new Headers("2025-11-25", "tools/list", null, false), m)).code())
                .isEqualTo(JsonRpc.HEADER_MISMATCH);
        assertThat(((Refused) StatelessEnvelope.classify(modern("prompts/list", null), m)).code()).isEqualTo(JsonRpc.HEADER_MISMATCH);
        assertThat(((Refused) StatelessEnvelope.classify(modern("TOOLS/LIST", null), m)).code()).isEqualTo(JsonRpc.HEADER_MISMATCH);
        // RFC 9110: whitespace around a field value is not part of it
        assertThat(StatelessEnvelope.classify(new Headers(" 2026-07-28 ", "  tools/list ", null, false), m)).isInstanceOf(Stateless.class);
    }

    @Test
    void anUnknownStatelessVersionIsAnsweredWithTheSupportedList() {
        Refused r = StatelessEnvelope.check(modern("server/discover", null),
                msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{}}"), "v999.0.0");
        assertThat(r.code()).isEqualTo(JsonRpc.UNSUPPORTED_PROTOCOL_VERSION);
        assertThat(r.data().path("requested").asString()).isEqualTo("v999.0.0");
        assertThat(r.data().path("supported").get(0).asString()).isEqualTo("2026-07-28");
    }

    @Test
    void standardHeadersArePresentAndMcpNameMatchesTheBody() {
        ObjectNode call = msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"," + META + "}}");
        assertThat(StatelessEnvelope.check(modern("tools/call", "echo"), call, "2026-07-28")).isNull();
        assertThat(StatelessEnvelope.check(modern("tools/call", null), call, "2026-07-28").code()).isEqualTo(JsonRpc.HEADER_MISMATCH);
        assertThat(StatelessEnvelope.check(modern("tools/call", "other"), call, "2026-07-28").code()).isEqualTo(JsonRpc.HEADER_MISMATCH);
        assertThat(StatelessEnvelope.check(new Headers("2026-07-28", null, "echo", false), call, "2026-07-28").code())
                .isEqualTo(JsonRpc.HEADER_MISMATCH);
        assertThat(StatelessEnvelope.check(new Headers(null, "tools/call", "echo", false), call, "2026-07-28").code())
                .isEqualTo(JsonRpc.HEADER_MISMATCH);
        ObjectNode read = msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"test://ä\"," + META + "}}");
        assertThat(StatelessEnvelope.check(modern("resources/read", StatelessEnvelope.encodeHeaderValue("test://ä")), read,
                "2026-07-28")).isNull();
        assertThat(StatelessEnvelope.check(modern("resources/read", "=?base64?not base64?="), read, "2026-07-28").code())
                .isEqualTo(JsonRpc.HEADER_MISMATCH);
    }

    @Test
    void headerValuesAreEncodedOnlyWhenTheyMustBe() {
        assertThat(StatelessEnvelope.encodeHeaderValue("test_simple_text")).isEqualTo("test_simple_text");
        assertThat(StatelessEnvelope.encodeHeaderValue(" padded")).startsWith("=?base64?");
        assertThat(StatelessEnvelope.decodeHeaderValue(StatelessEnvelope.encodeHeaderValue("日本語"))).isEqualTo("日本語");
        assertThat(StatelessEnvelope.decodeHeaderValue("=?base64?YWJj?=")).isEqualTo("abc");
        assertThat(StatelessEnvelope.decodeHeaderValue("=?base64?YWJ?=")).isNull();
    }

    @Test
    void initializeIsThe2025HandshakeUnlessItCarriesAStatelessEnvelope() {
        ObjectNode plain = msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}");
        assertThat(StatelessEnvelope.classify(new Headers(null, null, null, false), plain)).isInstanceOf(Sessionful.class);
        assertThat(((Refused) StatelessEnvelope.classify(modern("initialize", null), plain)).code()).isEqualTo(JsonRpc.HEADER_MISMATCH);
        ObjectNode enveloped = msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{" + META + "}}");
        assertThat(StatelessEnvelope.classify(modern("initialize", null), enveloped)).isInstanceOf(Stateless.class);
    }

    @Test
    void versionsSortIntoTheirGeneration() {
        assertThat(ProtocolVersions.stateless("2026-07-28")).isTrue();
        assertThat(ProtocolVersions.stateless("v999.0.0")).isTrue();
        assertThat(ProtocolVersions.stateless("2025-11-25")).isFalse();
        assertThat(ProtocolVersions.stateless(null)).isFalse();
    }
}
