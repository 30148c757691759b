package gatehouse.gateway.protocol;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How a failure during a request's own work becomes its JSON-RPC error answer. The pipeline owns
 * the translation; lower layers that answer requests themselves (the input-request bridge) are
 * handed it, so every error a client sees is made in one place.
 */
@FunctionalInterface
public interface ErrorReplies {
    /** The error response to the request {@code id} for {@code failure}. */
    ObjectNode reply(JsonNode id, RuntimeException failure);

    /** The error response for a refusal the caller decides itself (a JSON-RPC {@code code} and message). */
    default ObjectNode reply(JsonNode id, int code, String message) {
        return reply(id, new McpException(code, message));
    }
}
