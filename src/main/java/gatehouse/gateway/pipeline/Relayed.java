package gatehouse.gateway.pipeline;

import tools.jackson.databind.node.ObjectNode;

/**
 * A message that crosses the gateway other than a client request and its final answer, as
 * {@link Step#onRelay} sees it.
 *
 * @param direction which way it travels
 * @param kind      what it is
 * @param serverId  the upstream server it comes from or goes to; null for the gateway's own
 *                  messages (list changes it raises itself)
 * @param message   the JSON-RPC message in the shape the receiver gets
 */
public record Relayed(Direction direction, Kind kind, String serverId, ObjectNode message) {

    public enum Direction {
        /** Upstream (or the gateway) to the client: results flow this way. */
        TO_CLIENT,
        /** Client to upstream: requests flow this way. */
        TO_UPSTREAM
    }

    public enum Kind {
        /** Sampling, elicitation, roots and ping requests a server sends to the client. */
        SERVER_REQUEST,
        /** The client's answer to a server request. */
        CLIENT_ANSWER,
        /** Progress, logging, list changes, resource updates, cancellations, in either direction. */
        NOTIFICATION,
        /** An event on a GET or {@code subscriptions/listen} stream outside any request. */
        STREAM_EVENT,
        /** An {@code input_required} result's input requests (2026-07-28), either way bridged. */
        INPUT_REQUEST,
        /** The {@code inputResponses} a stateless client sends back on its retry. */
        INPUT_RESPONSE
    }
}
