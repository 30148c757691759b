package gatehouse.gateway.pipeline;

import gatehouse.gateway.protocol.McpException;
import tools.jackson.databind.JsonNode;

/**
 * A request the protocol revision refuses before dispatch (a bad envelope, headers that disagree
 * with the body): a gateway error with the HTTP status the revision prescribes, answered with the
 * request's id.
 */
final class RefusedRequest extends McpException {
    private final int status;

    RefusedRequest(int status, int code, String message, JsonNode data) {
        super(code, message, data);
        this.status = status;
    }

    int status() {
        return status;
    }
}
