package gatehouse.gateway.protocol;

import tools.jackson.databind.node.ObjectNode;

/**
 * Where a message that crosses the gateway outside a request's own request/response pair is shown
 * to the pipeline's steps before it goes on. Sessions, streams and the input-request bridge call
 * it; the pipeline implements it, so those lower layers need not know the steps.
 *
 * <p>The answer is the message to pass on (the same object when nothing changed), or:
 * <ul>
 * <li>for a request ({@link Flow#SERVER_REQUEST}, {@link Flow#INPUT_REQUEST}): a JSON-RPC error
 * response, which the caller sends back to whoever asked instead of relaying the request;</li>
 * <li>for a client's answer ({@link Flow#CLIENT_ANSWER}): possibly an error response, which goes
 * to the upstream in place of the answer;</li>
 * <li>for anything else: null, and the message is dropped.</li>
 * </ul>
 */
@FunctionalInterface
public interface RelayScreen {

    /** What kind of traffic a relayed message is, and which way it goes. */
    enum Flow {
        /** Sampling, elicitation, roots or ping asked by an upstream, to the client. */
        SERVER_REQUEST,
        /** The client's answer to a server request, to the upstream. */
        CLIENT_ANSWER,
        /** Progress, logging and the like from an upstream within a request, to the client. */
        NOTIFICATION_TO_CLIENT,
        /** Cancellations, roots changes and the like from the client, to the upstreams. */
        NOTIFICATION_TO_UPSTREAM,
        /** A message on a GET or {@code subscriptions/listen} stream, outside any request. */
        STREAM_EVENT,
        /** One input request of an {@code input_required} round ({@code {method, params}}). */
        INPUT_REQUEST,
        /** One entry of a stateless client's {@code inputResponses} (the answer's result). */
        INPUT_RESPONSE
    }

    ObjectNode screen(Flow flow, String serverId, ObjectNode message);

    /** Lets everything through unchanged. */
    RelayScreen NONE = (flow, serverId, message) -> message;
}
