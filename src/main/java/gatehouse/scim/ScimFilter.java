package gatehouse.scim;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.JsonNode;

/**
 * A parsed SCIM filter (RFC 7644 §3.4.2.2): {@code eq ne co sw ew pr gt ge lt le}, {@code and},
 * {@code or}, {@code not (...)}, grouping, and value filters on multi-valued attributes
 * ({@code emails[type eq "work"]}). Evaluated against a resource's JSON representation; attribute
 * names and string values compare case-insensitively (Gatehouse's attributes are not caseExact),
 * except {@code id}.
 */
public sealed interface ScimFilter {

    boolean test(JsonNode resource);

    record And(ScimFilter left, ScimFilter right) implements ScimFilter {
        public boolean test(JsonNode r) {
            return left.test(r) && right.test(r);
        }
    }

    record Or(ScimFilter left, ScimFilter right) implements ScimFilter {
        public boolean test(JsonNode r) {
            return left.test(r) || right.test(r);
        }
    }

    record Not(ScimFilter inner) implements ScimFilter {
        public boolean test(JsonNode r) {
            return !inner.test(r);
        }
    }

    /** {@code path op value}; {@code op} {@code pr} has no value. */
    record Compare(String path, String op, JsonNode value) implements ScimFilter {
        public boolean test(JsonNode r) {
            List<JsonNode> found = resolve(r, path);
            if (op.equals("pr")) {
                return found.stream().anyMatch(n -> !n.isNull() && !(n.isString() && n.asString().isEmpty()) && !(n.isArray() && n.isEmpty()));
            }
            if (op.equals("ne")) {
                return found.stream().noneMatch(n -> compare(n, "eq", value, path));
            }
            return found.stream().anyMatch(n -> compare(n, op, value, path));
        }
    }

    /** {@code attr[filter]}: some element of the multi-valued attribute matches. */
    record ValuePath(String attr, ScimFilter inner) implements ScimFilter {
        public boolean test(JsonNode r) {
            JsonNode a = child(r, attr);
            if (a == null) {
                return false;
            }
            if (a.isArray()) {
                for (JsonNode e : a) {
                    if (inner.test(e)) {
                        return true;
                    }
                }
                return false;
            }
            return inner.test(a);
        }
    }

    static ScimFilter parse(String text) {
        if (text == null || text.isBlank()) {
            throw ScimException.invalidFilter("the filter is empty");
        }
        Parser p = new Parser(text);
        ScimFilter f = p.or();
        if (p.peek() != null) {
            throw ScimException.invalidFilter("unexpected '" + p.peek() + "' in filter");
        }
        return f;
    }

    /** Strips a schema URN prefix: {@code urn:ietf:params:scim:schemas:core:2.0:User:userName} → {@code userName}. */
    static String plainPath(String path) {
        if (path.startsWith("urn:")) {
            int colon = path.lastIndexOf(':');
            return path.substring(colon + 1);
        }
        return path;
    }

    static JsonNode child(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return null;
        }
        for (String key : node.propertyNames()) {
            if (key.equalsIgnoreCase(name)) {
                return node.get(key);
            }
        }
        return null;
    }

    /** Every value at a dotted path, flattening arrays on the way. */
    static List<JsonNode> resolve(JsonNode root, String path) {
        List<JsonNode> current = List.of(root);
        for (String part : plainPath(path).split("\\.")) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode n : current) {
                for (JsonNode e : n.isArray() ? iterable(n) : List.of(n)) {
                    JsonNode c = child(e, part);
                    if (c != null) {
                        next.add(c);
                    }
                }
            }
            current = next;
        }
        List<JsonNode> flat = new ArrayList<>();
        for (JsonNode n : current) {
            if (n.isArray()) {
                n.forEach(e -> flat.add(e.isObject() && child(e, "value") != null ? child(e, "value") : e));
            } else {
                flat.add(n);
            }
        }
        return flat;
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> l = new ArrayList<>();
        array.forEach(l::add);
        return l;
    }

    private static boolean compare(JsonNode actual, String op, JsonNode expected, String path) {
        if (actual == null || actual.isNull()) {
            return false;
        }
        if (expected.isBoolean() || actual.isBoolean()) {
            boolean a = actual.isBoolean() ? actual.asBoolean() : Boolean.parseBoolean(actual.asString());
            boolean e = expected.isBoolean() ? expected.asBoolean() : Boolean.parseBoolean(expected.asString());
            return switch (op) {
                case "eq" -> a == e;
                default -> throw ScimException.invalidFilter("operator " + op + " does not apply to booleans");
            };
        }
        if (expected.isNumber() && actual.isNumber()) {
            int c = new BigDecimal(actual.asString()).compareTo(new BigDecimal(expected.asString()));
            return ordered(op, c);
        }
        if (expected.isNull()) {
            return false;
        }
        boolean exact = plainPath(path).equalsIgnoreCase("id");
        String a = exact ? actual.asString() : actual.asString().toLowerCase(Locale.ROOT);
        String e = exact ? expected.asString() : expected.asString().toLowerCase(Locale.ROOT);
        return switch (op) {
            case "eq" -> a.equals(e);
            case "co" -> a.contains(e);
            case "sw" -> a.startsWith(e);
            case "ew" -> a.endsWith(e);
            default -> ordered(op, a.compareTo(e));
        };
    }

    private static boolean ordered(String op, int c) {
        return switch (op) {
            case "gt" -> c > 0;
            case "ge" -> c >= 0;
            case "lt" -> c < 0;
            case "le" -> c <= 0;
            case "eq" -> c == 0;
            default -> throw ScimException.invalidFilter("unknown operator " + op);
        };
    }

    /** Recursive descent over the tokens of a filter. */
    final class Parser {
        private static final List<String> OPS = List.of("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le");
        private final List<String> tokens = new ArrayList<>();
        private int at;

        Parser(String text) {
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '(' || c == ')' || c == '[' || c == ']') {
                    tokens.add(String.valueOf(c));
                    i++;
                } else if (c == '"') {
                    StringBuilder sb = new StringBuilder("\"");
                    i++;
                    boolean closed = false;
                    while (i < text.length()) {
                        char d = text.charAt(i++);
                        if (d == '\\' && i < text.length()) {
                            sb.append(text.charAt(i++));
                        } else if (d == '"') {
                            closed = true;
                            break;
                        } else {
                            sb.append(d);
                        }
                    }
                    if (!closed) {
                        throw ScimException.invalidFilter("unterminated string in filter");
                    }
                    tokens.add(sb.toString());
                } else {
                    int start = i;
                    while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && "()[]\"".indexOf(text.charAt(i)) < 0) {
                        i++;
                    }
                    tokens.add(text.substring(start, i));
                }
            }
        }

        String peek() {
            return at < tokens.size() ? tokens.get(at) : null;
        }

        private String next() {
            if (at >= tokens.size()) {
                throw ScimException.invalidFilter("the filter ends too early");
            }
            return tokens.get(at++);
        }

        private boolean word(String w) {
            String p = peek();
            if (p != null && p.equalsIgnoreCase(w)) {
                at++;
                return true;
            }
            return false;
        }

        ScimFilter or() {
            ScimFilter left = and();
            while (word("or")) {
                left = new Or(left, and());
            }
            return left;
        }

        ScimFilter and() {
            ScimFilter left = unary();
            while (word("and")) {
                left = new And(left, unary());
            }
            return left;
        }

        ScimFilter unary() {
            if (word("not")) {
                expect("(");
                ScimFilter inner = or();
                expect(")");
                return new Not(inner);
            }
            if (word("(")) {
                ScimFilter inner = or();
                expect(")");
                return inner;
            }
            String path = next();
            if (path.startsWith("\"") || "()[]".contains(path)) {
                throw ScimException.invalidFilter("an attribute name was expected, not '" + path + "'");
            }
            if (word("[")) {
                ScimFilter inner = or();
                expect("]");
                return new ValuePath(plainPath(path), inner);
            }
            String op = next().toLowerCase(Locale.ROOT);
            if (op.equals("pr")) {
                return new Compare(path, op, null);
            }
            if (!OPS.contains(op)) {
                throw ScimException.invalidFilter("unknown operator '" + op + "'");
            }
            return new Compare(path, op, value(next()));
        }

        private void expect(String t) {
            String n = next();
            if (!n.equals(t)) {
                throw ScimException.invalidFilter("'" + t + "' expected, found '" + n + "'");
            }
        }

        private static JsonNode value(String token) {
            var nodes = gatehouse.platform.Json.NODES;
            if (token.startsWith("\"")) {
                return nodes.stringNode(token.substring(1));
            }
            switch (token.toLowerCase(Locale.ROOT)) {
                case "true":
                    return nodes.booleanNode(true);
                case "false":
                    return nodes.booleanNode(false);
                case "null":
                    return nodes.nullNode();
                default:
                    try {
                        return nodes.numberNode(new BigDecimal(token));
                    } catch (NumberFormatException e) {
                        throw ScimException.invalidFilter("'" + token + "' is not a value: quote strings, e.g. userName eq \"bjensen\"");
                    }
            }
        }
    }
}
