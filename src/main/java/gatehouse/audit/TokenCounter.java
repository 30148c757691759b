package gatehouse.audit;

import java.nio.charset.StandardCharsets;

import gatehouse.platform.Json;
import gatehouse.platform.JsonText;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.POJONode;

/**
 * Counts tokens (o200k_base: byte pairs of {@link O200kVocabulary}, cut into pieces by {@link O200kCount}) of what a model reads, not of the JSON-RPC envelope around
 * it: a tool's result is the text of its content blocks (and its structured content), a prompt is
 * the text of its messages, a resource the text of its contents. Binary blocks (images, audio)
 * are not text tokens and are not counted. Anything else (call arguments, lists of tool
 * definitions the model reads as JSON) is counted as compact JSON. A text longer than
 * {@code gatehouse.audit.exact-token-chars} is estimated from samples (see {@link #count}); lists
 * up to 256 K characters are always exact (and remembered). Runs on the audit writer's
 * thread, never on the request path.
 */
final class TokenCounter {
    static final int DEFAULT_EXACT_CHARS = 4 * 1024;
    static final int MIN_EXACT_CHARS = 1024;
    /** How many places a long text is sampled at. */
    static final int SAMPLES = 8;

    private final O200kCount encoding = new O200kCount();
    private final int exactChars;

    TokenCounter() {
        this(DEFAULT_EXACT_CHARS);
    }

    /** {@code exactChars}: the longest text counted exactly ({@code 0}: every text). */
    TokenCounter(int exactChars) {
        this.exactChars = exactChars;
    }
    /**
     * Counts of recent list answers by their exact text: a gateway's merged lists repeat verbatim
     * until something changes, and tokenizing tens of kilobytes of tool definitions on every
     * {@code tools/list} cost more than answering it. Only lists: a tool result is counted afresh.
     * Used by the one writer thread.
     */
    private final java.util.Map<String, Integer> listCounts = new java.util.LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Integer> eldest) {
            return size() > LIST_COUNTS;
        }
    };
    static final int LIST_COUNTS = 32;
    /** Larger lists are counted afresh (bounds what the memory holds: 32 × 256 K characters). */
    static final int LIST_COUNT_MAX_CHARS = 256 * 1024;

    /** A count, and whether it is an estimate (a text over the exact bound, see {@link #count}). */
    record Counted(int tokens, boolean estimated) {
        static final Counted NONE = new Counted(0, false);
    }

    Integer input(String method, JsonNode input) {
        Counted c = countInput(method, input);
        return c == null ? null : c.tokens();
    }

    Integer output(String method, JsonNode output) {
        Counted c = countOutput(method, output);
        return c == null ? null : c.tokens();
    }

    /** The tokens of a request's input (compact JSON); null when there is none. */
    Counted countInput(String method, JsonNode input) {
        return present(input) ? counted(Json.string(input)) : null;
    }

    /** The tokens of a text (a request's input already written as compact JSON). */
    Counted countText(String text) {
        return counted(text);
    }

    /** The tokens of what the model reads of an answer; null when there is none. */
    Counted countOutput(String method, JsonNode output) {
        if (!present(output)) {
            return null;
        }
        if (output instanceof POJONode pojo && pojo.getPojo() instanceof JsonText text) {
            return countOutput(method, text);
        }
        StringBuilder text = new StringBuilder();
        switch (method == null ? "" : method) {
            case "tools/call" -> {
                JsonNode blocks = output.path("content");
                if (blocks.size() == 1 && !output.has("structuredContent") && "text".equals(blocks.get(0).path("type").asString(""))
                        && blocks.get(0).path("text").isString()) {
                    return counted(blocks.get(0).path("text").asString()); // the usual one text: counted where it is, not copied
                }
                contentText(blocks, text);
                if (output.has("structuredContent") && text.isEmpty()) {
                    text.append(Json.string(output.get("structuredContent")));
                }
            }
            case "prompts/get" -> {
                for (JsonNode m : output.path("messages")) {
                    contentText(m.path("content").isArray() ? m.path("content") : Json.array().add(m.path("content")), text);
                }
            }
            case "resources/read" -> {
                for (JsonNode c : output.path("contents")) {
                    appendText(c.path("text"), text);
                }
            }
            default -> {
                if (method != null && method.endsWith("/list")) {
                    return countList(output);
                }
                text.append(Json.string(output));
            }
        }
        return counted(text.toString());
    }

    /**
     * An answer passed through as its bytes: the usual tool result of one text block is counted
     * from the bytes of that text (a long one from samples decoded alone, see
     * {@link #estimateBytes}); anything else is parsed and counted as a tree.
     */
    Counted countOutput(String method, JsonText output) {
        if ("tools/call".equals(method)) {
            int[] text = oneText(output);
            if (text != null) {
                Counted c = countJsonString(output.bytes(), text[0], text[1]);
                if (c != null) {
                    return c;
                }
            }
        }
        return countOutput(method, Json.MAPPER.readTree(output.bytes(), output.from(), output.length()));
    }

    /**
     * Where the text of a tool result's one text block lies (between its quotes) when the result
     * has exactly one block, of type {@code text}, and no structured content; else null.
     */
    static int[] oneText(JsonText result) {
        byte[] bytes = result.bytes();
        try (JsonParser p = Json.MAPPER.createParser(bytes, result.from(), result.length())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            int blocks = 0;
            int textAt = -1;
            int textEnd = -1;
            boolean isText = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("structuredContent".equals(name)) {
                    return null;
                }
                if (!"content".equals(name)) {
                    p.skipChildren();
                    continue;
                }
                if (value != JsonToken.START_ARRAY) {
                    return null;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    if (++blocks > 1) {
                        return null;
                    }
                    boolean textEndNext = false;
                    while (true) {
                        JsonToken t = p.nextToken();
                        if (textEndNext) {
                            // the parser skipped the text to reach this token: its closing quote is
                            // the last one before it, with at most white space and a comma between
                            textEnd = quoteBefore(bytes, (int) p.currentTokenLocation().getByteOffset() + result.from(), textAt);
                            textEndNext = false;
                        }
                        if (t != JsonToken.PROPERTY_NAME) {
                            break;
                        }
                        String member = p.currentName();
                        JsonToken v = p.nextToken();
                        if ("type".equals(member)) {
                            isText = v == JsonToken.VALUE_STRING && "text".equals(p.getString());
                        } else if ("text".equals(member) && v == JsonToken.VALUE_STRING) {
                            textAt = (int) p.currentTokenLocation().getByteOffset() + result.from();
                            textEndNext = true;
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                if (p.currentToken() != JsonToken.END_ARRAY) {
                    return null;
                }
            }
            if (blocks != 1 || !isText || textAt < result.from() || bytes[textAt] != '"' || textEnd <= textAt) {
                return null;
            }
            return new int[] {textAt + 1, textEnd};
        } catch (JacksonException e) {
            return null;
        }
    }

    /**
     * The closing quote of a string value that ends before the token at {@code next}: back over
     * white space, a comma and white space. The text is not scanned a second time (a 100 KB text
     * took as long to scan for its quote as the parser took to skip it). -1 if the bytes there are
     * not that (then the result is counted as a tree).
     */
    private static int quoteBefore(byte[] bytes, int next, int textAt) {
        int j = next - 1;
        while (j > textAt && isJsonSpace(bytes[j])) {
            j--;
        }
        if (j > textAt && bytes[j] == ',') {
            j--;
            while (j > textAt && isJsonSpace(bytes[j])) {
                j--;
            }
        }
        return j > textAt && bytes[j] == '"' ? j : -1;
    }

    private static boolean isJsonSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /**
     * The count of the JSON string text {@code bytes[from, to)} (escaped, without quotes): a short
     * one decoded and counted like any text; a long one estimated by {@link #estimateBytes}. Null
     * when it cannot be decoded.
     */
    private Counted countJsonString(byte[] bytes, int from, int to) {
        int n = to - from;
        if (exactChars == 0 || n <= 3 * exactChars) {
            String text = decode(bytes, from, to);
            return text == null ? null : counted(text);
        }
        Integer estimate = estimateBytes(bytes, from, to);
        if (estimate == null) {
            String text = decode(bytes, from, to);
            return text == null ? null : counted(text);
        }
        return new Counted(estimate, true);
    }

    /**
     * {@link #estimate} on the escaped bytes of a long text: the same {@link #SAMPLES} windows,
     * placed by byte and cut at spaces (a space byte is never inside an escape or a multi-byte
     * character, so each window decodes alone), scaled by bytes. For ASCII text without escapes
     * the same count as {@link #estimate} of the decoded text; null (count the decoded text) when
     * a window finds no space within 64 bytes.
     */
    Integer estimateBytes(byte[] bytes, int from, int to) {
        int n = to - from;
        int window = exactChars / SAMPLES;
        long sampledTokens = 0;
        long sampledBytes = 0;
        for (int i = 0; i < SAMPLES; i++) {
            int start = spaceAt(bytes, from + (int) ((long) (n - window) * i / (SAMPLES - 1)), to);
            if (start < 0) {
                return null;
            }
            int end = spaceAt(bytes, Math.min(to, start + window), to);
            if (end < 0) {
                return null;
            }
            if (end <= start) {
                continue;
            }
            String part = decode(bytes, start, end);
            if (part == null) {
                return null;
            }
            sampledTokens += encoding.count(part);
            sampledBytes += end - start;
        }
        if (sampledBytes == 0) {
            return null;
        }
        return (int) Math.round((double) sampledTokens * n / sampledBytes);
    }

    /** The next space byte at or after {@code i} within 64 bytes; {@code to} at the end; -1 if none. */
    private static int spaceAt(byte[] bytes, int i, int to) {
        if (i >= to) {
            return to;
        }
        int limit = Math.min(to, i + 64);
        for (int j = i; j < limit; j++) {
            if (bytes[j] == ' ') {
                return j;
            }
        }
        return limit == to ? to : -1;
    }

    /**
     * The text of the escaped JSON string content {@code bytes[from, to)}; null if it is not one.
     * Text without escapes (most of it) is read as UTF-8 straight from the bytes, without a parser
     * or a copy.
     */
    static String decode(byte[] bytes, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == '\\' || b == '"' || (b >= 0 && b < 0x20)) {
                plain = false;
                break;
            }
        }
        if (plain) {
            return new String(bytes, from, to - from, StandardCharsets.UTF_8);
        }
        byte[] quoted = new byte[to - from + 2];
        quoted[0] = '"';
        System.arraycopy(bytes, from, quoted, 1, to - from);
        quoted[quoted.length - 1] = '"';
        try (JsonParser p = Json.MAPPER.createParser(quoted)) {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String text = p.getString();
            return p.nextToken() == null ? text : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private Counted counted(String text) {
        return text.isEmpty() ? Counted.NONE : new Counted(count(text), estimates(text));
    }

    /** Whether {@link #count} estimates this text rather than counting it. */
    boolean estimates(String text) {
        return exactChars != 0 && text.length() > exactChars;
    }

    /**
     * The gateway hands the very same result node again for a list that did not change (those are
     * never changed once answered): its count is remembered by identity first, so the list is not
     * even serialized again.
     */
    private final JsonNode[] listNodes = new JsonNode[LIST_COUNTS];
    private final Counted[] listNodeCounts = new Counted[LIST_COUNTS];
    private int nextListNode;

    private Counted countList(JsonNode output) {
        synchronized (listNodes) {
            for (int i = 0; i < listNodes.length; i++) {
                if (listNodes[i] == output) {
                    return listNodeCounts[i];
                }
            }
        }
        Counted n = countList(Json.string(output));
        synchronized (listNodes) {
            listNodes[nextListNode] = output;
            listNodeCounts[nextListNode] = n;
            nextListNode = (nextListNode + 1) % listNodes.length;
        }
        return n;
    }

    /** Lists up to {@link #LIST_COUNT_MAX_CHARS} are counted exactly (and remembered); larger ones like any text. */
    private Counted countList(String json) {
        if (json.length() > LIST_COUNT_MAX_CHARS) {
            return counted(json);
        }
        synchronized (listCounts) {
            Integer known = listCounts.get(json);
            if (known != null) {
                return new Counted(known, false);
            }
        }
        int n = exact(json);
        synchronized (listCounts) {
            listCounts.put(json, n);
        }
        return new Counted(n, false);
    }

    int count(String text) {
        if (text.isEmpty()) {
            return 0;
        }
        if (exactChars == 0 || text.length() <= exactChars) {
            return encoding.count(text);
        }
        return estimate(text);
    }

    int exact(String text) {
        return text.isEmpty() ? 0 : encoding.count(text);
    }

    /**
     * A long text's count from {@link #SAMPLES} windows spread evenly over it, {@code exactChars}
     * characters in all, each cut at whitespace so no word is split, scaled by length: o200k's
     * pre-tokenizing regular expression costs ~0.1 µs per character, which made the writer's token
     * counting of a 100 KB result cost more than the rest of its exchange.
     */
    private int estimate(String text) {
        int n = text.length();
        int window = exactChars / SAMPLES;
        long sampledTokens = 0;
        long sampledChars = 0;
        for (int i = 0; i < SAMPLES; i++) {
            int start = wordStart(text, (int) ((long) (n - window) * i / (SAMPLES - 1)));
            int end = wordStart(text, Math.min(n, start + window));
            if (end <= start) {
                continue;
            }
            String part = text.substring(start, end);
            sampledTokens += encoding.count(part);
            sampledChars += part.length();
        }
        if (sampledChars == 0) {
            return encoding.count(text);
        }
        return (int) Math.round((double) sampledTokens * n / sampledChars);
    }

    /** The next whitespace at or after {@code i} (within 64 characters, else {@code i} itself), or the end. */
    private static int wordStart(String text, int i) {
        int limit = Math.min(text.length(), i + 64);
        for (int j = i; j < limit; j++) {
            if (Character.isWhitespace(text.charAt(j))) {
                return j;
            }
        }
        return Math.min(i, text.length());
    }

    private static void contentText(JsonNode blocks, StringBuilder text) {
        for (JsonNode b : blocks) {
            switch (b.path("type").asString("")) {
                case "text" -> appendText(b.path("text"), text);
                case "resource" -> appendText(b.path("resource").path("text"), text);
                case "resource_link" -> appendText(b.path("uri"), text);
                default -> {
                    // image, audio: not text the tokenizer can count
                }
            }
        }
    }

    private static void appendText(JsonNode node, StringBuilder text) {
        if (node.isString()) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(node.asString());
        }
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }
}
