package gatehouse.gateway.pipeline;

import gatehouse.gateway.routing.Route;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.transport.McpHttpRequest;
import gatehouse.gateway.transport.McpHttpResponse;
import tools.jackson.databind.node.ObjectNode;

/**
 * What differs between the protocol generations, decided once per request: the 2025-11-25
 * session protocol ({@link SessionGeneration}) and the 2026-07-28 stateless one
 * ({@link StatelessGeneration}). Nothing else in the data plane asks which one it is in.
 */
sealed interface Generation permits SessionGeneration, StatelessGeneration {

    Exchange.Generation id();

    /** The revision's own checks on a message, before a session is looked at; throws {@link RefusedRequest}. */
    void preflight(McpHttpRequest req, Exchange x);

    /**
     * The session a client's request runs on (naming it in the response where the generation does),
     * or null when this message was fully handled here: the 2025 handshake, a client's answer or
     * notification.
     */
    DownstreamSession session(McpHttpRequest req, McpHttpResponse resp, Exchange x);

    /** The handler of {@code method} in this generation; throws method not found. */
    MethodHandler handler(String method);

    /** The reply, shaped as this generation's clients expect answers. */
    PostAnswer reply(McpHttpResponse resp, Exchange x);

    /** The HTTP status of the gateway's own JSON-RPC error {@code code}, when it goes out as plain JSON ({@code -1}: 200). */
    int errorStatus(int code);

    /** Sends a routed request upstream; how server requests reach the client is the generation's. Null when cancelled. */
    ObjectNode forward(Exchange x, DownstreamSession session, Route route, PostAnswer reply);

    /** How steps ask the person behind this request something through their client (see {@link ClientPrompt}). */
    default ClientPrompt prompt(Exchange x, DownstreamSession session, PostAnswer reply) {
        return ClientPrompt.NONE;
    }

    /** All that {@link #decorateList} adds depends on besides the list itself (the freshness declared). */
    default long listVariant(Exchange x, DownstreamSession session, String kind) {
        return 0;
    }

    /** Adds what this generation's clients get with a merged list (caching hints), from its {@link #listVariant}. */
    default void decorateList(String kind, long variant, ObjectNode result) {
    }

    /**
     * Whether this request's merged list may be answered with a result shared with other requests
     * that merged the very same parts with the same {@link #listVariant}: only when its answer shape
     * depends on nothing else in the request.
     */
    default boolean sharesLists(Exchange x) {
        return true;
    }

    /** Whether answers go to the client as they are (no list decoration, no shaping in place). */
    default boolean answersAsIs() {
        return true;
    }
}
