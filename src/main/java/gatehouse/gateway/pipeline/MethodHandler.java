package gatehouse.gateway.pipeline;

import gatehouse.gateway.routing.Route;
import gatehouse.gateway.session.DownstreamSession;
import tools.jackson.databind.node.ObjectNode;

/**
 * How the gateway handles one JSON-RPC method: where it goes (a server, or nowhere when the gateway
 * answers itself) and how the answer is produced. {@link Dispatcher} holds them by method name.
 */
interface MethodHandler {

    /**
     * Where the request goes, with its names rewritten to the upstream's own; null when the gateway
     * answers it itself. Also names the request's target in the exchange.
     */
    default Route route(Exchange x, DownstreamSession session) {
        return null;
    }

    /** The response for the client, or null when the client cancelled the request. */
    ObjectNode invoke(Exchange x, DownstreamSession session, PostAnswer reply);

    /** Whether the request and its result count tokens in the log record. */
    default boolean counted() {
        return true;
    }
}
