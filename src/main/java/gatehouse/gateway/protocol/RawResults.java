package gatehouse.gateway.protocol;

import java.util.Map;

import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bytes of a message's {@code result} as they arrived, kept next to the tree parsed from them,
 * so an answer nothing changed goes to the client without serializing a large result a second
 * time. The tree is still built (steps, the log record and the outcome read it); only the way out
 * is spared. A use checks that the response still holds the very node parsed from the bytes (a
 * step that changes a message copies it, so a replaced result is never relayed from old bytes).
 * Objects with a repeated name are not kept: their bytes would say more than the tree that every
 * step saw.
 */
public final class RawResults {
    /** The {@code result} node of a parsed message and where its JSON text lies in {@code bytes}. */
    public record Raw(JsonNode result, byte[] bytes, int from, int to) {
        public Raw {
            if (result == null || bytes == null || from < 0 || to > bytes.length || from >= to) {
                throw new IllegalArgumentException("not a slice of the bytes");
            }
        }

        int length() {
            return to - from;
        }
    }

    private static final ObjectReader STRICT = Json.MAPPER.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    /** One member's value at a time (the parser goes on after it). */
    private static final ObjectReader MEMBER = Json.MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Bodies below this size are parsed and written the plain way: serializing a small result is
     * cheaper than parsing member by member and writing the envelope apart.
     */
    static final int MIN_BYTES = 2048;

    /** The last answer read on this thread (the request thread reads its own call's answer). */
    private static final ThreadLocal<Raw> LAST = new ThreadLocal<>();

    private RawResults() {
    }

    /**
     * Parses {@code bytes} exactly as {@code Json.MAPPER.readTree(bytes)} does; when it is an object
     * with an object {@code result}, that result's bytes are remembered for this thread until
     * {@link #take}. Malformed input throws like {@code readTree}.
     */
    public static JsonNode read(byte[] bytes) {
        return read(bytes, MIN_BYTES);
    }

    static JsonNode read(byte[] bytes, int minBytes) {
        ObjectNode one = readObject(bytes, minBytes);
        return one != null ? one : Json.MAPPER.readTree(bytes);
    }

    /**
     * The one JSON object {@code bytes} hold, its {@code result}'s bytes remembered as by
     * {@link #read}; null (nothing remembered) when they hold anything else, more than one value,
     * an object with a repeated name, or malformed JSON, or are below {@link #MIN_BYTES}.
     */
    public static ObjectNode readObject(byte[] bytes) {
        return readObject(bytes, MIN_BYTES);
    }

    static ObjectNode readObject(byte[] bytes, int minBytes) {
        LAST.remove();
        if (bytes.length < minBytes) {
            return null; // small: one plain parse and one plain write cost less than keeping the bytes
        }
        ObjectNode message = Json.object();
        JsonNode result = null;
        int from = -1;
        int to = -1;
        try (JsonParser p = STRICT.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                long start = p.currentTokenLocation().getByteOffset();
                JsonNode node = MEMBER.readValue(p);
                if (value == JsonToken.START_OBJECT && "result".equals(name)) {
                    result = node;
                    from = (int) start;
                    to = (int) p.currentLocation().getByteOffset();
                }
                message.set(name, node);
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
        } catch (JacksonException e) {
            return null;
        }
        if (result != null && from >= 0 && to <= bytes.length && to > from
                && bytes[from] == '{' && bytes[to - 1] == '}') {
            LAST.set(new Raw(result, bytes, from, to));
        }
        return message;
    }

    /** The bytes remembered by the last {@link #read} on this thread, once; null if none. */
    public static Raw take() {
        Raw raw = LAST.get();
        if (raw != null) {
            LAST.remove();
        }
        return raw;
    }

    /**
     * The message as compact JSON, its {@code result} copied from {@code raw} when that is still
     * the message's result (every other member serialized from the tree); null when it is not.
     */
    public static byte[] write(ObjectNode message, Raw raw) {
        if (raw == null || message.get("result") != raw.result()) {
            return null;
        }
        byte[][] parts = new byte[message.size()][];
        int size = 2 + Math.max(0, message.size() - 1);
        int i = 0;
        for (Map.Entry<String, JsonNode> e : message.properties()) {
            byte[] name = Json.MAPPER.writeValueAsBytes(e.getKey());
            size += name.length + 1;
            if (e.getValue() == raw.result()) {
                parts[i] = name;
                size += raw.length();
            } else {
                byte[] value = Json.bytes(e.getValue());
                byte[] member = new byte[name.length + 1 + value.length];
                System.arraycopy(name, 0, member, 0, name.length);
                member[name.length] = ':';
                System.arraycopy(value, 0, member, name.length + 1, value.length);
                parts[i] = member;
                size += value.length;
            }
            i++;
        }
        byte[] out = new byte[size];
        int at = 0;
        out[at++] = '{';
        i = 0;
        for (Map.Entry<String, JsonNode> e : message.properties()) {
            if (i > 0) {
                out[at++] = ',';
            }
            byte[] part = parts[i];
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
            if (e.getValue() == raw.result()) {
                out[at++] = ':';
                System.arraycopy(raw.bytes(), raw.from(), out, at, raw.length());
                at += raw.length();
            }
            i++;
        }
        out[at++] = '}';
        if (at != out.length) {
            throw new IllegalStateException("size mismatch");
        }
        return out;
    }
}
