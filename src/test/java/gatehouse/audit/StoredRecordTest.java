package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** A call's arguments are measured and counted from the same compact JSON Jackson writes, however they were written. */
class StoredRecordTest {
    private static final String[] TEXTS = {"", "hello", "two words", "a/b", "say \"hi\"", "back\\slash", "tab\there", "line\nbreak",
        "\u0000\u001f", "Zürich", "日本", "emoji 😀", "\u2028\u2029", "~!@#$%^&*()_+`-=[]{}|;':,.<>?", "\u007f", "x".repeat(5000)};

    @Test
    void argumentsOfEveryShapeAreTheJsonJacksonWrites() {
        Random random = new Random(11);
        for (int i = 0; i < 3000; i++) {
            JsonNode tree = tree(random, 0);
            assertThat(StoredRecord.compactJson(tree)).as("tree %d", i).isEqualTo(Json.string(tree));
        }
        ObjectNode usual = Json.object().put("text", "hello").put("limit", 10).put("exact", true);
        usual.putNull("cursor");
        usual.putArray("tags").add("a").add(2);
        assertThat(StoredRecord.compactJson(usual)).isEqualTo("{\"text\":\"hello\",\"limit\":10,\"exact\":true,\"cursor\":null,\"tags\":[\"a\",2]}");
        JsonNode deep = Json.tree("[".repeat(40) + "]".repeat(40));
        assertThat(StoredRecord.compactJson(deep)).isEqualTo(Json.string(deep));
    }

    private static JsonNode tree(Random random, int depth) {
        int kind = depth > 4 ? 2 + random.nextInt(9) : random.nextInt(11);
        switch (kind) {
            case 0 -> {
                ObjectNode o = Json.object();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    o.set(random.nextInt(4) == 0 ? TEXTS[random.nextInt(TEXTS.length)] : "k" + i, tree(random, depth + 1));
                }
                return o;
            }
            case 1 -> {
                ArrayNode a = Json.array();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    a.add(tree(random, depth + 1));
                }
                return a;
            }
            case 2, 3 -> {
                return Json.MAPPER.getNodeFactory().stringNode(TEXTS[random.nextInt(TEXTS.length)]);
            }
            case 4 -> {
                return Json.MAPPER.getNodeFactory().numberNode(random.nextInt() >> random.nextInt(32));
            }
            case 5 -> {
                return Json.MAPPER.getNodeFactory().numberNode(random.nextLong());
            }
            case 6 -> {
                return Json.MAPPER.getNodeFactory().numberNode(random.nextDouble() * 1e6);
            }
            case 7 -> {
                return Json.MAPPER.getNodeFactory().numberNode(new BigDecimal("1.50"));
            }
            case 8 -> {
                return Json.MAPPER.getNodeFactory().numberNode(new BigInteger("123456789012345678901234567890"));
            }
            case 9 -> {
                return Json.MAPPER.getNodeFactory().booleanNode(random.nextBoolean());
            }
            default -> {
                return Json.MAPPER.getNodeFactory().nullNode();
            }
        }
    }
}
