package gatehouse.gateway.pipeline;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

/**
 * {@code gatehouse.mcp.json.*}: the shape a client's MCP message may have. The byte limit on the
 * body bounds the total; these bound what one message may make the gateway and every upstream
 * behind it walk, copy, fingerprint and scan: nesting, elements of one array, members of one
 * object, characters of one string (names included). A message over one is refused with JSON-RPC
 * -32600 (HTTP 400) naming the limit and its setting, before any step or upstream sees it.
 * Nesting can only be lowered below the shared mapper's 128.
 */
@ConfigurationProperties("gatehouse.mcp.json")
public record JsonLimits(
        @DefaultValue("128") int maxDepth,
        @DefaultValue("100000") int maxArrayLength,
        @DefaultValue("10000") int maxObjectMembers,
        @DefaultValue("4194304") int maxStringLength) {

    public static final JsonLimits DEFAULTS = new JsonLimits(Json.MAX_NESTING_DEPTH, 100_000, 10_000, 4 * 1024 * 1024);

    public JsonLimits {
        if (maxDepth < 2 || maxDepth > Json.MAX_NESTING_DEPTH) {
            throw new IllegalArgumentException("gatehouse.mcp.json.max-depth must be between 2 and " + Json.MAX_NESTING_DEPTH);
        }
        if (maxArrayLength < 1 || maxObjectMembers < 8 || maxStringLength < 64) {
            throw new IllegalArgumentException("gatehouse.mcp.json.max-array-length must be at least 1, max-object-members at least 8"
                    + " and max-string-length at least 64");
        }
    }

    private record Level(JsonNode node, int depth) {
    }

    /**
     * The shortest body that could break a limit: a container nested deeper than {@code maxDepth}
     * takes an opening and a closing bracket per level, and every element, member and character
     * takes at least a byte. A shorter body (a small call's) is not walked.
     */
    int shortestOver() {
        return Math.min(Math.min(2 * (maxDepth + 1), maxArrayLength + 1), Math.min(maxObjectMembers + 1, maxStringLength + 1));
    }

    /** Refuses a message parsed from {@code bytes} bytes over any limit (see {@link #shortestOver}). */
    void check(JsonNode message, int bytes) {
        if (bytes >= shortestOver()) {
            check(message);
        }
    }

    /** Refuses a message over any limit; walks the tree once, without recursion. */
    void check(JsonNode message) {
        Deque<Level> todo = new ArrayDeque<>();
        todo.push(new Level(message, 1));
        while (!todo.isEmpty()) {
            Level l = todo.pop();
            JsonNode n = l.node();
            if (n.isString()) {
                if (n.stringValue().length() > maxStringLength) {
                    throw over("a string is longer than " + maxStringLength + " characters", "max-string-length");
                }
            } else if (n.isArray() || n.isObject()) {
                if (l.depth() > maxDepth) {
                    throw over("arrays and objects are nested more than " + maxDepth + " deep", "max-depth");
                }
                if (n.isArray() && n.size() > maxArrayLength) {
                    throw over("an array has more than " + maxArrayLength + " elements", "max-array-length");
                }
                if (n.isObject()) {
                    if (n.size() > maxObjectMembers) {
                        throw over("an object has more than " + maxObjectMembers + " members", "max-object-members");
                    }
                    for (Map.Entry<String, JsonNode> e : n.properties()) {
                        if (e.getKey().length() > maxStringLength) {
                            throw over("a member name is longer than " + maxStringLength + " characters", "max-string-length");
                        }
                        todo.push(new Level(e.getValue(), l.depth() + 1));
                    }
                } else {
                    for (JsonNode element : n) {
                        todo.push(new Level(element, l.depth() + 1));
                    }
                }
            }
        }
    }

    private static HttpProblem over(String what, String setting) {
        return new HttpProblem(400, JsonRpc.INVALID_REQUEST, "Invalid request: " + what + " (limit set by gatehouse.mcp.json." + setting + ")");
    }
}
