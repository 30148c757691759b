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

    private static TokenCounter.Counted fromBytes(TokenCounter counter, String method, String json) {
        byte[] bytes = ("{\"id\":1,\"result\":" + json + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int from = "{\"id\":1,\"result\":".length();
        var text = new gatehouse.platform.JsonText(bytes, from, bytes.length - 1);
        return counter.countOutput(method, Json.MAPPER.getNodeFactory().pojoNode(text));
    }

    /**
     * A result passed through unread reaches the writer as its bytes: counted from them, the same
     * as from its tree for ASCII text (exact or estimated), close for escaped and non-ASCII text,
     * and through the tree for any other shape.
     */
    @Test
    void aResultGivenAsItsBytesCountsAsItsTree() {
        TokenCounter counter = new TokenCounter();
        String lorem = "lorem ipsum dolor sit amet consectetur ".repeat(2600).substring(0, 100_000);
        for (String text : java.util.List.of("short text", "word ".repeat(700), lorem)) {
            String json = "{\"content\":[{\"type\":\"text\",\"text\":" + Json.string(text) + "}],\"isError\":false}";
            assertThat(fromBytes(counter, "tools/call", json)).as("%d chars", text.length())
                    .isEqualTo(counter.countOutput("tools/call", Json.tree(json)));
        }
        assertThat(fromBytes(counter, "tools/call", "{\"content\":[{\"type\":\"text\",\"text\":" + Json.string(lorem) + "}]}")
                .estimated()).isTrue();
        byte[] padded = ("xx{\"content\":[{\"type\":\"text\",\"text\":\"a b\"}]}yy").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] where = TokenCounter.oneText(new gatehouse.platform.JsonText(padded, 2, padded.length - 2));
        assertThat(where).as("the text is found in the bytes, not parsed").isNotNull();
        assertThat(new String(padded, where[0], where[1] - where[0], java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("a b");
        byte[] loremBytes = Json.string(lorem).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(counter.estimateBytes(loremBytes, 1, loremBytes.length - 1)).as("estimated from the bytes, not decoded whole")
                .isEqualTo(counter.count(lorem));

        StringBuilder b = new StringBuilder();
        java.util.Random random = new java.util.Random(11);
        String[] words = {"Zürich", "naïve", "\"quoted\"", "tab\there", "line\nbreak", "日本語の", "text", "€", "a\\b"};
        while (b.length() < 60_000) {
            b.append(words[random.nextInt(words.length)]).append(' ');
        }
        String mixed = b.toString();
        String mixedJson = "{\"content\":[{\"text\":" + Json.string(mixed) + ",\"type\":\"text\"}]}";
        int truth = new TokenCounter(0).count(mixed);
        assertThat(fromBytes(counter, "tools/call", mixedJson).tokens()).isBetween((int) (truth * 0.9), (int) (truth * 1.1));

        for (String other : java.util.List.of(
                "{\"content\":[{\"type\":\"text\",\"text\":\"one\"},{\"type\":\"text\",\"text\":\"two\"}]}",
                "{\"content\":[{\"type\":\"image\",\"data\":\"AAAA\",\"mimeType\":\"image/png\"}]}",
                "{\"content\":[],\"structuredContent\":{\"a\":\"b c d\"}}",
                "{\"content\":[{\"type\":\"text\",\"text\":\"x\"}],\"structuredContent\":{\"a\":1}}")) {
            assertThat(fromBytes(counter, "tools/call", other)).as(other).isEqualTo(counter.countOutput("tools/call", Json.tree(other)));
        }
        // the text's end is found from the token after it, however the answer is spaced
        for (String spaced : java.util.List.of(
                "{ \"content\" : [ { \"type\" : \"text\" , \"text\" : \"ends in a quote \\\"\" \n } ] }",
                "{\"content\":[{\"text\":\"comma, then\\\\\"\t,\r\n\"type\":\"text\"}]}",
                "{\"content\":[{\"text\":\"\",\"type\":\"text\"}]}",
                "{\"content\":[{\"type\":\"text\",\"text\":\"" + "plain words ".repeat(3000) + "\"  }],\"isError\":false}")) {
            assertThat(fromBytes(counter, "tools/call", spaced)).as(spaced.substring(0, Math.min(80, spaced.length())))
                    .isEqualTo(counter.countOutput("tools/call", Json.tree(spaced)));
            byte[] bytes = spaced.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] at = TokenCounter.oneText(new gatehouse.platform.JsonText(bytes, 0, bytes.length));
            assertThat(at).as("found in the bytes").isNotNull();
            assertThat(Json.tree("\"" + new String(bytes, at[0], at[1] - at[0], java.nio.charset.StandardCharsets.UTF_8) + "\"").asString())
                    .isEqualTo(Json.tree(spaced).path("content").get(0).path("text").asString());
        }
        String prompt = "{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"hello there\"}}]}";
        assertThat(fromBytes(counter, "prompts/get", prompt)).isEqualTo(counter.countOutput("prompts/get", Json.tree(prompt)));
    }
}
