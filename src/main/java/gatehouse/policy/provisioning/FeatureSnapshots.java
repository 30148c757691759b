package gatehouse.policy.provisioning;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Approval snapshots: the part of a listed definition that approval covers, in a canonical form,
 * its fingerprint, and the difference between two snapshots. For a tool that is name, title,
 * description, input and output schema and annotations (a flipped {@code destructiveHint} is a
 * change); for a prompt its arguments instead of schemas; for resources and templates their
 * identity, description and MIME type. Fields outside the snapshot ({@code _meta}, icons, sizes)
 * may change freely.
 */
public final class FeatureSnapshots {
    private static final List<String> TOOL_FIELDS = List.of("name", "title", "description", "inputSchema", "outputSchema", "annotations");
    private static final List<String> PROMPT_FIELDS = List.of("name", "title", "description", "arguments");
    private static final List<String> RESOURCE_FIELDS = List.of("uri", "name", "title", "description", "mimeType");
    private static final List<String> TEMPLATE_FIELDS = List.of("uriTemplate", "name", "title", "description", "mimeType");

    private FeatureSnapshots() {
    }

    /** The feature's identity on its server: a tool or prompt name, a URI, a URI template; null if absent. */
    public static String key(FeatureKind kind, JsonNode item) {
        JsonNode k = item == null ? null : item.get(kind.keyField());
        return k != null && k.isString() && !k.stringValue().isEmpty() ? k.stringValue() : null;
    }

    /** The approval snapshot of a listed item, canonical (keys sorted), so equal definitions give equal snapshots. */
    public static ObjectNode snapshot(FeatureKind kind, JsonNode item) {
        List<String> fields = switch (kind) {
            case TOOL -> TOOL_FIELDS;
            case PROMPT -> PROMPT_FIELDS;
            case RESOURCE -> RESOURCE_FIELDS;
            case RESOURCE_TEMPLATE -> TEMPLATE_FIELDS;
        };
        ObjectNode out = Json.object();
        for (String f : new TreeSet<>(fields)) {
            JsonNode v = item.get(f);
            if (v != null && !v.isNull() && !v.isMissingNode()) {
                out.set(f, canonical(v, f));
            }
        }
        return out;
    }

    /** SHA-256 of the snapshot's canonical JSON, hex. */
    public static String fingerprint(JsonNode snapshot) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(Json.string(canonical(snapshot, null)).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode canonical(JsonNode node, String field) {
        if (node instanceof ObjectNode o) {
            ObjectNode sorted = Json.object();
            new TreeSet<>(o.propertyNames()).forEach(k -> sorted.set(k, canonical(o.get(k), k)));
            return sorted;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode out = Json.array();
            a.forEach(e -> out.add(canonical(e, null)));
            // "required" is a set in JSON Schema; servers that build it from a hash set reorder it freely.
            if ("required".equals(field) && out.valueStream().allMatch(JsonNode::isString)) {
                ArrayNode sorted = Json.array();
                out.valueStream().map(JsonNode::stringValue).sorted().forEach(sorted::add);
                return sorted;
            }
            return out;
        }
        return node;
    }

    /** One difference between two snapshots: a dotted path and the values before and after (null: absent). */
    public record Change(String path, JsonNode before, JsonNode after) {
    }

    /** Every difference from {@code before} to {@code after}, leaves first-level fields by name. */
    public static List<Change> diff(JsonNode before, JsonNode after) {
        List<Change> out = new ArrayList<>();
        diff("", before, after, out);
        return out;
    }

    private static void diff(String path, JsonNode before, JsonNode after, List<Change> out) {
        if (before == null || before.isMissingNode()) {
            before = null;
        }
        if (after == null || after.isMissingNode()) {
            after = null;
        }
        if (before == null && after == null || before != null && before.equals(after)) {
            return;
        }
        if (before instanceof ObjectNode b && after instanceof ObjectNode a) {
            Set<String> keys = new LinkedHashSet<>(b.propertyNames());
            keys.addAll(a.propertyNames());
            for (String k : new TreeSet<>(keys)) {
                diff(path.isEmpty() ? k : path + "." + k, b.get(k), a.get(k), out);
            }
            return;
        }
        if (before instanceof ArrayNode b && after instanceof ArrayNode a && b.size() == a.size()) {
            for (int i = 0; i < b.size(); i++) {
                diff(path + "[" + i + "]", b.get(i), a.get(i), out);
            }
            return;
        }
        out.add(new Change(path.isEmpty() ? "(whole)" : path, before, after));
    }

    /** The changed paths, for a one-line message: {@code description, annotations.destructiveHint}. */
    public static String summary(List<Change> changes) {
        List<String> paths = changes.stream().map(Change::path).distinct().toList();
        if (paths.size() > 6) {
            return String.join(", ", paths.subList(0, 6)) + " and " + (paths.size() - 6) + " more";
        }
        return String.join(", ", paths);
    }
}
