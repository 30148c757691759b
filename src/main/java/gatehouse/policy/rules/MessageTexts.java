package gatehouse.policy.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * The strings of a JSON-RPC message that a person or model reads, and nothing else: the
 * {@code params} of a request or notification, the {@code result} or {@code error} of a response.
 * Never the envelope ({@code jsonrpc}, {@code id}, {@code method}), never {@code _meta}, never
 * protocol fields (types, MIME types, cursors, progress tokens, URIs, schemas), never a routed name.
 * Inside tool arguments, structured content and elicitation answers every value is data, so every
 * string there counts, at any depth. Binary items (a {@code blob}, image or audio {@code data})
 * are counted, never read as text. Strings are changed in place on a copy, so the JSON stays valid.
 */
public final class MessageTexts {
    private static final Set<String> PROTOCOL_KEYS = Set.of("_meta", "jsonrpc", "id", "method", "cursor", "nextCursor",
            "progressToken", "mimeType", "type", "protocolVersion", "requestId", "role", "uri", "uriTemplate", "inputSchema",
            "outputSchema", "annotations", "icons", "capabilities", "level", "logger", "ttl", "ttlMs", "priority", "audience",
            "lastModified", "size", "stopReason", "model", "includeContext", "mode", "action", "elicitationId");
    /** Keys whose whole value is user data: every nested string counts, whatever its key. */
    private static final Set<String> DATA_KEYS = Set.of("arguments", "structuredContent", "content", "inputResponses");
    private static final Set<String> ROUTED_METHODS = Set.of("tools/call", "prompts/get");

    /** One readable string: its container, its JSON pointer in the message, and what it says. */
    public record Slot(JsonNode parent, String field, int index, String path, String text) {
    }

    /** The readable strings of {@code message} and the number of binary items it carries. */
    public record Texts(List<Slot> slots, int binaryItems) {
        public List<String> strings() {
            List<String> out = new ArrayList<>(slots.size());
            for (Slot s : slots) {
                out.add(s.text());
            }
            return out;
        }
    }

    private MessageTexts() {
    }

    public static Texts of(ObjectNode message) {
        List<Slot> slots = new ArrayList<>();
        int[] binary = {0};
        String method = message.path("method").isString() ? message.get("method").stringValue() : null;
        for (String part : List.of("params", "result", "error")) {
            JsonNode node = message.get(part);
            if (node instanceof ObjectNode o) {
                boolean routed = part.equals("params") && method != null && ROUTED_METHODS.contains(method);
                walkObject(o, "/" + part, false, routed, slots, binary);
            }
        }
        return new Texts(slots, binary[0]);
    }

    private static boolean isBinary(ObjectNode o) {
        if (o.get("blob") instanceof StringNode) {
            return true;
        }
        JsonNode type = o.get("type");
        return type != null && type.isString() && o.get("data") instanceof StringNode
                && (type.stringValue().equals("image") || type.stringValue().equals("audio"));
    }

    private static void walkObject(ObjectNode o, String path, boolean data, boolean skipName, List<Slot> slots, int[] binary) {
        if (!data && isBinary(o)) {
            binary[0]++;
            return;
        }
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String key = e.getKey();
            if (!data && (PROTOCOL_KEYS.contains(key) || (skipName && key.equals("name")))) {
                continue;
            }
            if (key.equals("_meta")) {
                continue;
            }
            // a content block ({type, text}) is protocol; elicitation's answer object ({field: value}) is data
            boolean childData = data || (DATA_KEYS.contains(key) && !key.equals("content"))
                    || (key.equals("content") && e.getValue() instanceof ObjectNode c && !c.has("type"));
            walk(o, key, -1, path + "/" + escape(key), e.getValue(), childData, slots, binary);
        }
    }

    private static void walk(JsonNode parent, String field, int index, String path, JsonNode v, boolean data, List<Slot> slots,
                             int[] binary) {
        if (v.isString()) {
            String s = v.stringValue();
            if (!s.isEmpty()) {
                slots.add(new Slot(parent, field, index, path, s));
            }
        } else if (v instanceof ObjectNode o) {
            walkObject(o, path, data, false, slots, binary);
        } else if (v instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                walk(a, null, i, path + "/" + i, a.get(i), data, slots, binary);
            }
        }
    }

    private static String escape(String key) {
        return key.indexOf('~') < 0 && key.indexOf('/') < 0 ? key : key.replace("~", "~0").replace("/", "~1");
    }

    /** Puts new text into a slot found on {@code of(copy)}. */
    public static void set(Slot slot, String text) {
        if (slot.parent() instanceof ObjectNode o) {
            o.put(slot.field(), text);
        } else if (slot.parent() instanceof ArrayNode a) {
            a.set(slot.index(), a.stringNode(text));
        }
    }
}
