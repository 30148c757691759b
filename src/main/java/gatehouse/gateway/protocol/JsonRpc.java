package gatehouse.gateway.protocol;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Helpers for JSON-RPC 2.0 messages kept as raw JSON trees, so unknown fields survive. */
public final class JsonRpc {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** Server error range: an upstream could not be reached or failed. */
    public static final int UPSTREAM_ERROR = -32000;
    public static final int REQUEST_TIMEOUT = -32001;
    /** Resource not found up to 2025-11-25; 2026-07-28 answers {@link #INVALID_PARAMS} with {@code data.uri}. */
    public static final int RESOURCE_NOT_FOUND = -32002;
    /** 2026-07-28: HTTP headers and body disagree ({@code MCP-Protocol-Version}, {@code Mcp-Method}, {@code Mcp-Name}). */
    public static final int HEADER_MISMATCH = -32020;
    /** Gatehouse's own: over a rate limit; the HTTP answer is 429 with Retry-After. */
    public static final int RATE_LIMITED = -32029;
    /** A bound on what the gateway holds was reached (calls in flight, waiting input requests); data names the setting. */
    public static final int LIMIT_REACHED = -32030;
    /** 2026-07-28: processing needs a client capability the request did not declare. */
    public static final int MISSING_CLIENT_CAPABILITY = -32021;
    /** 2026-07-28: the requested protocol version is not served; {@code data} lists the supported ones. */
    public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

    private JsonRpc() {
    }

    public static boolean isRequest(JsonNode m) {
        return m.has("method") && m.has("id") && !m.get("id").isNull();
    }

    public static boolean isNotification(JsonNode m) {
        return m.has("method") && !m.has("id");
    }

    public static boolean isResponse(JsonNode m) {
        return !m.has("method") && m.has("id") && (m.has("result") || m.has("error"));
    }

    public static String method(JsonNode m) {
        JsonNode n = m.get("method");
        return n != null && n.isString() ? n.stringValue() : null;
    }

    public static ObjectNode params(ObjectNode m) {
        JsonNode p = m.get("params");
        return p instanceof ObjectNode o ? o : null;
    }

    /**
     * Checks the envelope of a client message. Returns null when it is well formed, else a short
     * reason for an invalid-request error.
     */
    public static String envelopeProblem(JsonNode m) {
        if (!(m instanceof ObjectNode)) {
            return "a JSON-RPC message must be a JSON object";
        }
        JsonNode v = m.get("jsonrpc");
        if (v == null || !v.isString() || !"2.0".equals(v.stringValue())) {
            return "\"jsonrpc\" must be \"2.0\"";
        }
        JsonNode id = m.get("id");
        if (id != null && !(id.isString() || id.isIntegralNumber())) {
            return "\"id\" must be a string or an integer";
        }
        JsonNode method = m.get("method");
        if (method != null) {
            if (!method.isString() || method.stringValue().isEmpty()) {
                return "\"method\" must be a non-empty string";
            }
            JsonNode params = m.get("params");
            if (params != null && !params.isObject()) {
                return "\"params\" must be an object";
            }
            return null;
        }
        if (id == null) {
            return "a message needs a \"method\" (request or notification) or an \"id\" with \"result\" or \"error\" (response)";
        }
        if (m.has("result") == m.has("error")) {
            return "a response carries exactly one of \"result\" and \"error\"";
        }
        return null;
    }

    public static ObjectNode request(Object id, String method, JsonNode params) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        setId(m, id);
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return m;
    }

    public static ObjectNode notification(String method, JsonNode params) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return m;
    }

    public static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.set("id", id);
        m.set("result", result);
        return m;
    }

    public static ObjectNode error(JsonNode id, int code, String message) {
        return error(id, code, message, null);
    }

    public static ObjectNode error(JsonNode id, int code, String message, JsonNode data) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.set("id", id == null ? Json.NODES.nullNode() : id);
        ObjectNode e = m.putObject("error");
        e.put("code", code);
        e.put("message", message);
        if (data != null) {
            e.set("data", data);
        }
        return m;
    }

    private static void setId(ObjectNode m, Object id) {
        switch (id) {
            case JsonNode n -> m.set("id", n);
            case Long l -> m.put("id", l);
            case Integer i -> m.put("id", i);
            case String s -> m.put("id", s);
            default -> throw new IllegalArgumentException("bad id " + id);
        }
    }
}
