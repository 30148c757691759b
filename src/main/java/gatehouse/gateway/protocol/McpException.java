package gatehouse.gateway.protocol;

import tools.jackson.databind.JsonNode;

/** A failure that the data plane answers with a JSON-RPC error object. */
public class McpException extends RuntimeException {
    private final int code;
    private final transient JsonNode data;

    public McpException(int code, String message) {
        this(code, message, null);
    }

    public McpException(int code, String message, JsonNode data) {
        super(message);
        this.code = code;
        this.data = data;
    }

    public int code() {
        return code;
    }

    public JsonNode data() {
        return data;
    }
}
