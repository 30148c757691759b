package gatehouse.platform;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One shared JSON mapper for code that works on raw JSON trees. Its read limits are what a hostile
 * peer meets first: nesting (a deep array is a stack and CPU bomb), one string's length, a number's
 * digits and a property name's length; a document over one answers a parse error that names the
 * limit. Message size as a whole is capped where bytes arrive (request body, upstream message).
 */
public final class Json {
    public static final int MAX_NESTING_DEPTH = 128;
    public static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;
    public static final int MAX_NUMBER_LENGTH = 1000;
    public static final int MAX_NAME_LENGTH = 10_000;

    public static final JsonMapper MAPPER = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
            .streamReadConstraints(tools.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxNameLength(MAX_NAME_LENGTH)
                    .build())
            .build()).build();
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    /**
     * Whether the mapper writes {@code s} as a JSON string unchanged between its quotes: printable
     * ASCII without a quote, a backslash or a slash (the mapper escapes those). Lets a hot path
     * write such a text itself instead of setting up a generator.
     */
    public static boolean writtenAsIs(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '/') {
                return false;
            }
        }
        return true;
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    public static byte[] bytes(JsonNode node) {
        return MAPPER.writeValueAsBytes(node);
    }

    /** How many bytes {@link #bytes} would give, counted as they are written instead of kept. */
    public static int size(JsonNode node) {
        Counting out = new Counting();
        MAPPER.writeValue(out, node);
        return out.count;
    }

    private static final class Counting extends java.io.OutputStream {
        int count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    public static String string(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static JsonNode tree(String json) {
        return MAPPER.readTree(json);
    }
}
