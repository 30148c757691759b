package gatehouse.scim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a SCIM PATCH request (RFC 7644 §3.5.2) to a resource's JSON representation; the caller
 * then stores the result as if it had been PUT. Accepts Entra ID's variations: capitalised op
 * values ("Replace"), boolean strings ("True", "False"), a path-less operation whose value names
 * attributes by dotted path or schema URN, and removal of members by value.
 */
final class ScimPatch {
    static final String SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    private ScimPatch() {
    }

    static ObjectNode apply(ObjectNode resource, JsonNode request) {
        JsonNode ops = ScimFilter.child(request, "Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw ScimException.invalidSyntax("a PATCH needs a non-empty \"Operations\" array");
        }
        ObjectNode out = resource.deepCopy();
        for (JsonNode op : ops) {
            String kind = text(ScimFilter.child(op, "op")).toLowerCase(Locale.ROOT);
            if (!List.of("add", "replace", "remove").contains(kind)) {
                throw ScimException.invalidSyntax("op must be add, replace or remove, not '" + text(ScimFilter.child(op, "op")) + "'");
            }
            JsonNode pathNode = ScimFilter.child(op, "path");
            JsonNode value = ScimFilter.child(op, "value");
            String path = pathNode == null || pathNode.isNull() ? null : pathNode.asString();
            if (path == null || path.isBlank()) {
                if (kind.equals("remove")) {
                    throw new ScimException(400, "noTarget", "a remove operation needs a path");
                }
                if (value == null || !value.isObject()) {
                    throw ScimException.invalidValue("an operation without a path needs an object value");
                }
                for (String key : value.propertyNames()) {
                    applyAt(out, kind, key, value.get(key));
                }
            } else {
                applyAt(out, kind, path, value);
            }
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asString();
    }

    private static void applyAt(ObjectNode root, String kind, String rawPath, JsonNode value) {
        String path = ScimFilter.plainPath(rawPath.trim());
        int bracket = path.indexOf('[');
        if (bracket > 0) {
            int close = path.lastIndexOf(']');
            if (close < bracket) {
                throw ScimException.invalidPath("unbalanced brackets in path " + rawPath);
            }
            String attr = path.substring(0, bracket);
            ScimFilter filter = ScimFilter.parse(path.substring(bracket + 1, close));
            String sub = close + 1 < path.length() && path.charAt(close + 1) == '.' ? path.substring(close + 2) : null;
            applyFiltered(root, kind, attr, filter, sub, value);
            return;
        }
        String[] parts = path.split("\\.");
        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode c = ScimFilter.child(parent, parts[i]);
            if (c == null || !c.isObject()) {
                if (kind.equals("remove")) {
                    return;
                }
                c = parent.putObject(key(parent, parts[i]));
            }
            parent = (ObjectNode) c;
        }
        String leaf = key(parent, parts[parts.length - 1]);
        JsonNode current = parent.get(leaf);
        switch (kind) {
            case "remove" -> {
                if (value != null && current != null && current.isArray() && value.isArray()) {
                    // Entra: remove these members (by value) rather than the whole attribute
                    ArrayNode kept = Json.array();
                    for (JsonNode e : current) {
                        boolean drop = false;
                        for (JsonNode v : value) {
                            if (sameValue(e, v)) {
                                drop = true;
                            }
                        }
                        if (!drop) {
                            kept.add(e);
                        }
                    }
                    parent.set(leaf, kept);
                } else {
                    parent.remove(leaf);
                }
            }
            case "add" -> {
                if (current != null && current.isArray()) {
                    ArrayNode arr = (ArrayNode) current;
                    for (JsonNode v : value.isArray() ? value : Json.array().add(value)) {
                        boolean present = false;
                        for (JsonNode e : arr) {
                            present |= sameValue(e, v);
                        }
                        if (!present) {
                            arr.add(v);
                        }
                    }
                } else if (current != null && current.isObject() && value != null && value.isObject()) {
                    ((ObjectNode) current).setAll((ObjectNode) value);
                } else {
                    parent.set(leaf, coerce(leaf, value));
                }
            }
            default -> {
                if (current != null && current.isObject() && value != null && value.isObject()) {
                    ((ObjectNode) current).setAll((ObjectNode) value);
                } else {
                    parent.set(leaf, coerce(leaf, value));
                }
            }
        }
    }

    private static void applyFiltered(ObjectNode root, String kind, String attr, ScimFilter filter, String sub, JsonNode value) {
        String key = key(root, attr);
        JsonNode current = root.get(key);
        ArrayNode arr = current != null && current.isArray() ? (ArrayNode) current : root.putArray(key);
        List<Integer> matches = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            if (filter.test(arr.get(i))) {
                matches.add(i);
            }
        }
        switch (kind) {
            case "remove" -> {
                for (int i = matches.size() - 1; i >= 0; i--) {
                    if (sub == null) {
                        arr.remove((int) matches.get(i));
                    } else {
                        ((ObjectNode) arr.get(matches.get(i))).remove(sub);
                    }
                }
            }
            default -> {
                if (matches.isEmpty()) {
                    if (kind.equals("replace") && sub == null) {
                        throw new ScimException(400, "noTarget", "no value of " + attr + " matches the path's filter");
                    }
                    // Entra adds emails[type eq "work"].value when there is none yet: create the element the filter describes
                    ObjectNode e = arr.addObject();
                    if (filter instanceof ScimFilter.Compare c && c.op().equals("eq")) {
                        e.set(ScimFilter.plainPath(c.path()), c.value());
                    }
                    matches.add(arr.size() - 1);
                }
                for (int i : matches) {
                    ObjectNode e = (ObjectNode) arr.get(i);
                    if (sub == null) {
                        if (value != null && value.isObject()) {
                            e.setAll((ObjectNode) value);
                        }
                    } else {
                        e.set(sub, value);
                    }
                }
            }
        }
    }

    private static boolean sameValue(JsonNode element, JsonNode v) {
        JsonNode a = element.isObject() ? ScimFilter.child(element, "value") : element;
        JsonNode b = v.isObject() ? ScimFilter.child(v, "value") : v;
        return a != null && b != null && a.asString().equals(b.asString());
    }

    /** The existing key spelled as the resource spells it (names are case-insensitive), else the given one. */
    private static String key(ObjectNode node, String name) {
        for (String k : node.propertyNames()) {
            if (k.equalsIgnoreCase(name)) {
                return k;
            }
        }
        return name;
    }

    /** Entra sends booleans as "True"/"False". */
    private static JsonNode coerce(String leaf, JsonNode value) {
        if (value != null && value.isString() && leaf.equalsIgnoreCase("active")) {
            String s = value.asString().trim();
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Json.NODES.booleanNode(Boolean.parseBoolean(s.toLowerCase(Locale.ROOT)));
            }
            throw ScimException.invalidValue("active must be a boolean");
        }
        return value;
    }
}
