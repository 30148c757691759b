package gatehouse.gateway.pipeline;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Parses a POSTed body into the one JSON-RPC message it must be. */
final class JsonMessages {
    private JsonMessages() {
    }

    static ObjectNode parse(byte[] body) {
        return parse(body, JsonLimits.DEFAULTS);
    }

    /** Parses and checks the message's shape against {@code limits} before its envelope. */
    static ObjectNode parse(byte[] body, JsonLimits limits) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new HttpProblem(400, JsonRpc.PARSE_ERROR, "Parse error: " + e.getOriginalMessage());
        }
        if (n == null || n.isMissingNode()) {
            throw new HttpProblem(400, JsonRpc.PARSE_ERROR, "Parse error: the body is empty");
        }
        if (n.isArray()) {
            throw new HttpProblem(400, JsonRpc.INVALID_REQUEST, "Invalid request: JSON-RPC batches are not supported since protocol 2025-06-18; send one message per request");
        }
        limits.check(n, body.length);
        String problem = JsonRpc.envelopeProblem(n);
        if (problem != null) {
            throw new HttpProblem(400, JsonRpc.INVALID_REQUEST, "Invalid request: " + problem);
        }
        return (ObjectNode) n;
    }
}
