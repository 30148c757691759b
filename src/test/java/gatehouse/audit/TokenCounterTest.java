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

    /** A repeated list answer is counted from memory, and exactly as a fresh count; a changed one afresh. */
    @Test
    void repeatedListsCountTheSameAsFreshOnesAndChangesAreCountedAgain() {
        var list = Json.tree("{\"tools\":[{\"name\":\"a__search\",\"description\":\"Searches the web for pages\"}]}");
        int first = tokens.output("tools/list", list);
        assertThat(tokens.output("tools/list", list.deepCopy())).isEqualTo(first).isEqualTo(tokens.count(Json.string(list)));
        var changed = Json.tree("{\"tools\":[{\"name\":\"a__search\",\"description\":\"Searches the whole web for pages and images\"}]}");
        assertThat(tokens.output("tools/list", changed)).isEqualTo(tokens.count(Json.string(changed))).isGreaterThan(first);
        for (int i = 0; i < TokenCounter.LIST_COUNTS + 5; i++) {
            var other = Json.tree("{\"tools\":[{\"name\":\"t" + i + "\",\"description\":\"" + "word ".repeat(i) + "\"}]}");
            assertThat(tokens.output("tools/list", other)).isEqualTo(tokens.count(Json.string(other)));
        }
        assertThat(tokens.output("tools/list", list)).isEqualTo(first);
    }

    /** Up to the bound a count is exact; a longer text is estimated from samples, close to the exact count; 0 keeps every count exact. */
    @Test
    void longTextsAreEstimatedCloseToTheExactCountUnlessEveryCountIsExact() {
        java.util.Random random = new java.util.Random(7);
        String[] words = {"the", "gateway", "relays", "tool", "calls", "between", "clients", "and", "servers,", "records", "every",
                "decision;", "Zürich", "2026-12-06", "{\"id\":", "42}", "naïve", "token", "counting", "costs."};
        StringBuilder b = new StringBuilder();
        while (b.length() < 100_000) {
            b.append(words[random.nextInt(words.length)]).append(random.nextInt(12) == 0 ? "\n" : " ");
        }
        String text = b.toString();
        TokenCounter exact = new TokenCounter(0);
        int truth = exact.count(text);
        int estimated = new TokenCounter(16 * 1024).count(text);
        assertThat(estimated).isBetween((int) (truth * 0.95), (int) (truth * 1.05)).isNotEqualTo(0);
        assertThat(new TokenCounter().count(text)).as("with the default bound").isBetween((int) (truth * 0.95), (int) (truth * 1.05));
        String shorter = text.substring(0, 16 * 1024);
        assertThat(new TokenCounter(16 * 1024).count(shorter)).isEqualTo(exact.count(shorter));
        assertThat(exact.count(text)).isEqualTo(truth);
        var result = Json.tree("{\"content\":[{\"type\":\"text\",\"text\":" + Json.string(text) + "}]}");
        assertThat(new TokenCounter(16 * 1024).output("tools/call", result)).isEqualTo(estimated);
    }

    /** Each count says whether it is an estimate: over the bound yes, up to it no, lists (up to 256 K) and bound 0 never. */
    @Test
    void aCountSaysWhetherItIsAnEstimate() {
        TokenCounter counter = new TokenCounter(TokenCounter.MIN_EXACT_CHARS);
        String atBound = "x".repeat(TokenCounter.MIN_EXACT_CHARS);
        String over = "word ".repeat(TokenCounter.MIN_EXACT_CHARS);
        var shortResult = Json.tree("{\"content\":[{\"type\":\"text\",\"text\":\"" + atBound + "\"}]}");
        var longResult = Json.tree("{\"content\":[{\"type\":\"text\",\"text\":\"" + over + "\"}]}");

        assertThat(counter.countOutput("tools/call", shortResult)).isEqualTo(new TokenCounter.Counted(counter.count(atBound), false));
        assertThat(counter.countOutput("tools/call", longResult).estimated()).isTrue();
        assertThat(counter.countOutput("tools/call", longResult).tokens()).isEqualTo(counter.count(over));
        assertThat(counter.countInput("tools/call", Json.object().put("q", over)).estimated()).isTrue();
        assertThat(counter.countInput("tools/call", Json.object().put("q", "short")).estimated()).isFalse();
        assertThat(counter.countInput("tools/call", null)).isNull();
        var list = Json.tree("{\"tools\":[{\"name\":\"t\",\"description\":\"" + over + "\"}]}");
        assertThat(counter.countOutput("tools/list", list).estimated()).as("lists are counted exactly").isFalse();
        assertThat(new TokenCounter(0).countOutput("tools/call", longResult).estimated()).isFalse();
        assertThat(counter.countOutput("tools/call", Json.tree("{\"content\":[]}"))).isEqualTo(new TokenCounter.Counted(0, false));
    }
}
