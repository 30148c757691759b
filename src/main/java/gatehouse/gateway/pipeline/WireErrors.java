package gatehouse.gateway.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.gateway.protocol.ErrorReplies;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.RawResults;
import gatehouse.gateway.session.SessionLimitException;
import gatehouse.gateway.transport.BodyTooLargeException;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.gateway.upstream.UpstreamException;
import gatehouse.platform.Ids;
import gatehouse.platform.Json;
import gatehouse.platform.JsonText;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one place failures become wire answers, for POST, GET and DELETE alike. Each layer throws
 * its own kind: the transport {@link HttpProblem} (an HTTP status, a JSON-RPC error without id),
 * the gateway {@link McpException} (a JSON-RPC code and data; {@link RefusedRequest} adds the
 * status its revision prescribes), the upstream {@link UpstreamException}. Anything else is a
 * defect: still one JSON-RPC answer, with a reference an administrator finds in the server log.
 * The exchange learns what became of it, for completion and the log record.
 */
@Component
public final class WireErrors implements ErrorReplies {
    private static final Logger log = LoggerFactory.getLogger(WireErrors.class);

    /** Answers a message that could not be served as a request at all. */
    void answer(Exchange x, RuntimeException e, McpHttpResponse resp, PostAnswer reply) {
        if (reply != null && (e instanceof McpException || e instanceof UpstreamException)) {
            ObjectNode response = response(x, e);
            x.response(response);
            outcome(x, false);
            finish(x, reply);
            return;
        }
        x.kind("http");
        switch (e) {
            case CallerAuthentication.CallerRefused r -> {
                if (x.caller() == null) {
                    x.caller(r.caller());
                }
                refuse(x, resp, r);
            }
            case HttpProblem p -> refuse(x, resp, p);
            case SessionLimitException l -> refuse(x, resp, new HttpProblem(503, JsonRpc.INTERNAL_ERROR, l.getMessage()));
            case BodyTooLargeException b -> refuse(x, resp, new HttpProblem(413, JsonRpc.INVALID_REQUEST, b.getMessage()));
            case RefusedRequest r -> {
                // The revision's refusals carry the request's id.
                JsonNode id = x.request() == null ? null : x.request().get("id");
                if (!resp.committed()) {
                    resp.json(r.status(), Json.bytes(JsonRpc.error(id, r.code(), r.getMessage(), r.data())));
                }
                refused(x, r.status(), r.code(), r.getMessage());
            }
            case McpException m -> refuse(x, resp, new HttpProblem(x.strategy() == null || x.strategy().errorStatus(m.code()) < 0
                    ? 200 : x.strategy().errorStatus(m.code()), m.code(), m.getMessage()));
            default -> {
                String reference = Ids.random(12);
                log.error("internal error handling an MCP message (reference {})", reference, e);
                refuse(x, resp, new HttpProblem(500, JsonRpc.INTERNAL_ERROR, "Internal error (reference " + reference + ")"));
            }
        }
    }

    private static void refuse(Exchange x, McpHttpResponse resp, HttpProblem p) {
        if (!resp.committed()) {
            p.headers().forEach(resp::header);
            resp.json(p.status(), Json.bytes(JsonRpc.error(null, p.rpcCode(), p.getMessage())));
        }
        refused(x, p.status(), p.rpcCode(), p.getMessage());
    }

    private static void refused(Exchange x, int status, int code, String message) {
        x.status(status == 401 || status == 403 ? "denied" : status >= 500 ? "error" : "rejected");
        x.error(code, message);
        x.counted(null, null);
        log.debug("refused a request with HTTP {}: {}", status, message);
    }

    /** The JSON-RPC error response for a gateway or upstream failure during a request; rethrows anything else. */
    ObjectNode response(Exchange x, RuntimeException e) {
        JsonNode id = x.request().get("id");
        x.ownError(true);
        x.counted(null, null);
        switch (e) {
            case StepDeniedException d -> {
                x.status(d.retryAfter() == null ? "denied" : "throttled");
                x.retryAfter(d.retryAfter());
            }
            case McpException m -> x.status("error");
            case UpstreamException u -> {
                x.status("error");
                x.ownError(false); // relayed like an upstream's own error: in-band
            }
            default -> throw e;
        }
        return reply(id, e);
    }

    /**
     * The error answer itself, for the pipeline and for the input-request bridge alike: a gateway
     * error with its code and data, an upstream failure as {@code -32000} naming the server, and
     * anything else as an internal error.
     */
    @Override
    public ObjectNode reply(JsonNode id, RuntimeException e) {
        return switch (e) {
            case McpException m -> JsonRpc.error(id, m.code(), m.getMessage(), m.data());
            case UpstreamException u -> JsonRpc.error(id, JsonRpc.UPSTREAM_ERROR, u.getMessage());
            default -> JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "the call failed: " + e.getMessage());
        };
    }

    /**
     * What became of a request, from its final response (unless already known); {@code counted}:
     * whether its input and result count tokens.
     */
    void outcome(Exchange x, boolean counted) {
        ObjectNode response = x.response();
        JsonNode error = response.get("error");
        if (error != null) {
            x.error(error.path("code").asInt(), error.path("message").asString(null));
            if (x.status() == null) {
                x.status("error");
            }
            x.counted(counted ? x.input() : null, null);
            return;
        }
        if (x.status() != null) {
            return;
        }
        JsonNode result = response.get("result");
        RawResults.Raw raw = x.rawResult();
        // a result read in summary is counted from its bytes (on the log writer)
        JsonNode output = raw != null && raw.summary() && raw.result() == result
                ? Json.MAPPER.getNodeFactory().pojoNode(new JsonText(raw.bytes(), raw.from(), raw.to())) : result;
        x.counted(counted ? x.input() : null, counted ? output : null);
        if ("input_required".equals(result == null ? "" : result.path("resultType").asString(""))) {
            x.status("input-required");
        } else {
            x.status(result != null && result.path("isError").asBoolean(false) ? "tool-error" : "ok");
        }
    }

    /**
     * Sends the final response: a throttled request gets HTTP 429 and {@code Retry-After} (whole
     * seconds, rounded up) whichever generation it is in; otherwise the status is {@link #statusOf}.
     */
    void finish(Exchange x, PostAnswer reply) {
        if (x.retryAfter() != null && x.response().has("error")) {
            reply.header("Retry-After", Long.toString(retryAfterSeconds(x.retryAfter())));
            reply.finish(x.response(), 429);
            return;
        }
        reply.finish(x.response(), statusOf(x), x.rawResult(), x.rawResultShaped());
    }

    static long retryAfterSeconds(java.time.Duration wait) {
        long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /** The HTTP status of the final response: the generation's for the gateway's own errors, else the shape's ({@code -1}). */
    int statusOf(Exchange x) {
        JsonNode error = x.response().get("error");
        if (error == null || !x.ownError() || x.strategy() == null) {
            return -1;
        }
        return x.strategy().errorStatus(error.path("code").asInt());
    }
}
