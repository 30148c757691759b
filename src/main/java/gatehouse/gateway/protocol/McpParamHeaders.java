package gatehouse.gateway.protocol;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code Mcp-Param-*} headers of protocol 2026-07-28: a tool may mark primitive parameters of
 * its {@code inputSchema} with {@code "x-mcp-header": "Name"}, and a {@code tools/call} then carries
 * each such argument also as the header {@code Mcp-Param-Name} (so intermediaries can route on it
 * without reading the body). Gatehouse checks them for stateless clients and sends them to
 * stateless upstreams. Only declarations reachable through a chain of {@code properties} count.
 */
public final class McpParamHeaders {
    public static final String PREFIX = "Mcp-Param-";
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");

    private McpParamHeaders() {
    }

    /** One declared header: where the argument is, the header's name, the property's type. */
    public record Declaration(List<String> path, String name, String type) {
    }

    /** The declarations of a tool's inputSchema (empty when it has none or they are malformed). */
    public static List<Declaration> scan(JsonNode inputSchema) {
        List<Declaration> out = new ArrayList<>();
        collect(inputSchema, new ArrayList<>(), out);
        return out;
    }

    private static void collect(JsonNode schema, List<String> path, List<Declaration> out) {
        if (!(schema instanceof ObjectNode s)) {
            return;
        }
        JsonNode name = s.get("x-mcp-header");
        if (name != null && !path.isEmpty() && name.isString() && TOKEN.matcher(name.stringValue()).matches()) {
            String type = s.path("type").asString("");
            if (List.of("string", "integer", "boolean", "number").contains(type)) {
                out.add(new Declaration(List.copyOf(path), name.stringValue(), type));
            }
        }
        if (s.get("properties") instanceof ObjectNode props) {
            for (var e : props.properties()) {
                List<String> child = new ArrayList<>(path);
                child.add(e.getKey());
                collect(e.getValue(), child, out);
            }
        }
    }

    /** The headers a call with {@code arguments} carries (header name → encoded value). */
    public static Map<String, String> headers(List<Declaration> declarations, JsonNode arguments) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Declaration d : declarations) {
            String v = text(valueAt(arguments, d.path()));
            if (v != null) {
                out.put(PREFIX + d.name(), StatelessEnvelope.encodeHeaderValue(v));
            }
        }
        return out;
    }

    /**
     * Checks the headers of a call against its arguments: each declared argument present in the
     * body needs its header with the same value (decoded); a header without a body value, a missing
     * header or a broken encoding is a mismatch. Null when everything agrees, else the reason.
     */
    public static String check(List<Declaration> declarations, JsonNode arguments, Function<String, String> header) {
        for (Declaration d : declarations) {
            String body = text(valueAt(arguments, d.path()));
            String raw = header.apply(PREFIX + d.name());
            if (raw == null) {
                if (body != null) {
                    return "the body carries " + String.join(".", d.path()) + " but the " + PREFIX + d.name() + " header is missing";
                }
                continue;
            }
            String value = StatelessEnvelope.decodeHeaderValue(raw.strip());
            if (value == null) {
                return "the " + PREFIX + d.name() + " header carries an invalid =?base64?…?= value";
            }
            if (body == null) {
                return "the " + PREFIX + d.name() + " header has no matching argument in the body";
            }
            if (!same(d.type(), value, body)) {
                return "the " + PREFIX + d.name() + " header (\"" + value + "\") disagrees with the body (\"" + body + "\")";
            }
        }
        return null;
    }

    private static boolean same(String type, String header, String body) {
        return switch (type) {
            case "integer", "number" -> DECIMAL.matcher(header).matches() && new BigDecimal(header).compareTo(new BigDecimal(body)) == 0;
            case "boolean" -> header.toLowerCase(Locale.ROOT).equals(body);
            default -> header.equals(body);
        };
    }

    private static JsonNode valueAt(JsonNode root, List<String> path) {
        JsonNode n = root;
        for (String key : path) {
            if (!(n instanceof ObjectNode o)) {
                return null;
            }
            n = o.get(key);
        }
        return n;
    }

    /** The header text of a primitive argument; null when absent, null or not primitive. */
    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isContainer()) {
            return null;
        }
        if (v.isString()) {
            return v.stringValue();
        }
        if (v.isBoolean()) {
            return Boolean.toString(v.booleanValue());
        }
        if (v.isIntegralNumber()) {
            return v.toString();
        }
        if (v.isNumber()) {
            return new BigDecimal(v.toString()).stripTrailingZeros().toPlainString();
        }
        return null;
    }
}
