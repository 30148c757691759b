package gatehouse.e2e;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** JSON for the end-to-end tests: their own mapper, independent of Gatehouse's. */
final class E2eJson {
    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private E2eJson() {
    }

    static JsonNode parse(String json) {
        return MAPPER.readTree(json);
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
