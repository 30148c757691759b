package gatehouse.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import gatehouse.platform.Json;

class JsonRpcTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}|",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}|",
            "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}|",
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":1,\"message\":\"x\"}}|",
            "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}|\"jsonrpc\" must be \"2.0\"",
            "{\"id\":1,\"method\":\"ping\"}|\"jsonrpc\" must be \"2.0\"",
            "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}|\"id\" must be a string or an integer",
            "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}|\"id\" must be a string or an integer",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}|\"method\" must be a non-empty string",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}|\"method\" must be a non-empty string",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[1]}|\"params\" must be an object",
            "{\"jsonrpc\":\"2.0\"}|a message needs a \"method\" (request or notification) or an \"id\" with \"result\" or \"error\" (response)",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{}}|a response carries exactly one of \"result\" and \"error\"",
            "{\"jsonrpc\":\"2.0\",\"id\":1}|a response carries exactly one of \"result\" and \"error\"",
            "[1]|a JSON-RPC message must be a JSON object",
            "\"text\"|a JSON-RPC message must be a JSON object",
    })
    void envelopeProblems(String json, String expected) {
        assertThat(JsonRpc.envelopeProblem(Json.tree(json))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2025-11-25|2025-11-25",
            "2025-06-18|2025-06-18",
            "2025-03-26|2025-03-26",
            "2024-11-05|2025-11-25",
            "garbage|2025-11-25",
    })
    void negotiatesTheClientsVersionWhenSupported(String requested, String answered) {
        assertThat(ProtocolVersions.negotiate(requested)).isEqualTo(answered);
    }
}
