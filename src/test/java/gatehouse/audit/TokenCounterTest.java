package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;

/** Token counts are taken from what a model reads, not from the JSON-RPC wrapping. */
class TokenCounterTest {
    private final TokenCounter tokens = new TokenCounter();

    @Test
    void aToolResultCountsTheTextOfItsContentNotTheEnvelopeOrBinaryBlocks() {
        String text = "The quick brown fox jumps over the lazy dog.";
        var result = Json.tree("{\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"},"
                + "{\"type\":\"image\",\"data\":\"" + "QUJD".repeat(500) + "\",\"mimeType\":\"image/png\"}],\"isError\":false}");
        assertThat(tokens.output("tools/call", result)).isEqualTo(tokens.count(text));
        assertThat(tokens.output("tools/call", result)).isLessThan(tokens.count(Json.string(result)));
    }

    @Test
    void promptsResourcesAndListsCountWhatTheModelIsGiven() {
        assertThat(tokens.output("prompts/get", Json.tree("{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\","
                + "\"text\":\"hello there\"}}]}"))).isEqualTo(tokens.count("hello there"));
        assertThat(tokens.output("resources/read", Json.tree("{\"contents\":[{\"uri\":\"file:///a\",\"text\":\"alpha beta\"}]}")))
                .isEqualTo(tokens.count("alpha beta"));
        var list = Json.tree("{\"tools\":[{\"name\":\"search\",\"description\":\"Searches\",\"inputSchema\":{\"type\":\"object\"}}]}");
        assertThat(tokens.output("tools/list", list)).isEqualTo(tokens.count(Json.string(list)));
        assertThat(tokens.input("tools/call", Json.tree("{\"q\":\"x\"}"))).isPositive();
        assertThat(tokens.input("tools/call", null)).isNull();
    }
}
