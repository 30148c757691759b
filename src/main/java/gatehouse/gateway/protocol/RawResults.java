package gatehouse.gateway.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Supplier;

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
    /**
     * The {@code result} node of a parsed message and where its JSON text lies in {@code bytes}.
     * {@code summary}: the node is not the whole result but only what the gateway itself reads of
     * it ({@code isError}); the bytes are the result (see {@link #passThrough}).
     */
    public record Raw(JsonNode result, byte[] bytes, int from, int to, boolean summary) {
        public Raw {
            if (result == null || bytes == null || from < 0 || to > bytes.length || from >= to) {
                throw new IllegalArgumentException("not a slice of the bytes");
            }
        }

        /** The bytes of a result parsed whole. */
        public Raw(JsonNode result, byte[] bytes, int from, int to) {
            this(result, bytes, from, to, false);
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
    /** Set while a call runs whose result nothing on the gateway reads (see {@link #passThrough}). */
    private static final ThreadLocal<Boolean> PASS_THROUGH = new ThreadLocal<>();

    /** The one method whose results are read in summary when passed through. */
    static final String TOOLS_CALL = "tools/call";

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

    /**
     * Like {@link #read(byte[])} for the answer to a request of {@code method}: inside
     * {@link #passThrough} the answer to a {@code tools/call} is read in summary.
     */
    public static JsonNode read(byte[] bytes, String method) {
        if (TOOLS_CALL.equals(method) && PASS_THROUGH.get() != null && bytes.length >= MIN_BYTES) {
            ObjectNode summary = readSummary(bytes);
            if (summary != null) {
                return summary;
            }
        }
        return read(bytes, MIN_BYTES);
    }

    /**
     * Runs {@code call} (a routed request sent upstream on this thread) so that the answer to a
     * {@code tools/call} read by {@link #read(byte[], String)} meanwhile is not parsed into a
     * tree: only its envelope is, and its {@code result} becomes a summary holding its
     * {@code isError}, with the result's bytes remembered (a {@link Raw} whose {@code summary} is
     * true) to go out as they came. Only for a call whose result nothing on the gateway reads: no
     * rule covers answers, no step reads them, and the answer goes out as it is. A result that
     * asks for more ({@code resultType}) is always read whole.
     */
    public static <T> T passThrough(Supplier<T> call) {
        PASS_THROUGH.set(Boolean.TRUE);
        try {
            return call.get();
        } finally {
            PASS_THROUGH.remove();
        }
    }

    /**
     * The envelope of {@code bytes} as a tree whose {@code result} is a summary (only its
     * {@code isError}, the rest skipped without decoding), the result's bytes remembered; null
     * (nothing remembered) when they do not hold exactly one object with an object result, when a
     * name repeats anywhere, when the result has a {@code resultType}, or when they are malformed.
     */
    static ObjectNode readSummary(byte[] bytes) {
        LAST.remove();
        ObjectNode message = Json.object();
        ObjectNode summary = null;
        int from = -1;
        int to = -1;
        try (JsonParser p = STRICT.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_OBJECT && "result".equals(name)) {
                    from = (int) p.currentTokenLocation().getByteOffset();
                    summary = Json.object();
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String member = p.currentName();
                        p.nextToken();
                        if ("resultType".equals(member)) {
                            return null; // an answer that asks for more is read whole
                        }
                        if ("isError".equals(member)) {
                            summary.set(member, MEMBER.readValue(p));
                        } else {
                            p.skipChildren(); // names still checked for repeats, texts not decoded
                        }
                    }
                    to = (int) p.currentLocation().getByteOffset();
                    message.set(name, summary);
                } else {
                    message.set(name, MEMBER.readValue(p));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return null;
            }
        } catch (JacksonException e) {
            return null;
        }
        if (summary == null || from < 0 || to > bytes.length || to <= from || bytes[from] != '{' || bytes[to - 1] != '}') {
            return null;
        }
        LAST.set(new Raw(summary, bytes, from, to, true));
        return message;
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
     * A message whose {@code result} goes out as the bytes it arrived in: the members before it and
     * the members after it serialized from the tree, the result copied in between as it is written.
     */
    public record Parts(byte[] before, Raw raw, byte[] after) {
        public long length() {
            return (long) before.length + raw.length() + after.length;
        }

        public void writeTo(OutputStream out) throws IOException {
            out.write(before);
            out.write(raw.bytes(), raw.from(), raw.length());
            out.write(after);
        }

        public byte[] toArray() {
            byte[] out = new byte[Math.toIntExact(length())];
            System.arraycopy(before, 0, out, 0, before.length);
            System.arraycopy(raw.bytes(), raw.from(), out, before.length, raw.length());
            System.arraycopy(after, 0, out, before.length + raw.length(), after.length);
            return out;
        }
    }

    /**
     * The message as compact JSON, its {@code result} copied from {@code raw} when that is still
     * the message's result (every other member serialized from the tree); null when it is not.
     */
    public static byte[] write(ObjectNode message, Raw raw) {
        Parts parts = parts(message, raw);
        return parts == null ? null : parts.toArray();
    }

    /**
     * {@link #write} in {@link Parts}, nothing of the result copied yet; null when {@code raw} is
     * not the message's result. A copy of a summary (a step that replaced a result it may not
     * read) throws: serializing it would drop the result's content.
     */
    public static Parts parts(ObjectNode message, Raw raw) {
        if (raw == null || message.get("result") != raw.result()) {
            if (raw != null && raw.summary() && raw.result().equals(message.get("result"))) {
                throw new IllegalStateException("a result read in summary was replaced by a copy");
            }
            return null;
        }
        ByteArrayOutputStream before = new ByteArrayOutputStream(64);
        ByteArrayOutputStream after = new ByteArrayOutputStream(16);
        ByteArrayOutputStream at = before;
        at.write('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : message.properties()) {
            if (!first) {
                at.write(',');
            }
            first = false;
            at.writeBytes(quoted(e.getKey()));
            at.write(':');
            if (e.getValue() == raw.result()) {
                at = after;
            } else {
                at.writeBytes(member(e.getValue()));
            }
        }
        at.write('}');
        return new Parts(before.toByteArray(), raw, after.toByteArray());
    }

    /**
     * An envelope member as the mapper writes it, without a generator for the usual ones (a name,
     * {@code "2.0"}, a number or short plain text as the id); anything else through the mapper.
     */
    private static byte[] member(JsonNode value) {
        if (value.isString()) {
            return quoted(value.stringValue());
        }
        if (value.isInt() || value.isLong()) {
            return Long.toString(value.longValue()).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        return Json.bytes(value);
    }

    /** {@code s} as a JSON string: printable ASCII that needs no escape (nor a slash) directly, else through the mapper. */
    private static byte[] quoted(String s) {
        int n = s.length();
        if (n > 64 || !Json.writtenAsIs(s)) {
            return Json.MAPPER.writeValueAsBytes(s);
        }
        byte[] out = new byte[n + 2];
        out[0] = '"';
        for (int i = 0; i < n; i++) {
            out[i + 1] = (byte) s.charAt(i); // printable ASCII: one byte per char
        }
        out[n + 1] = '"';
        return out;
    }
}
