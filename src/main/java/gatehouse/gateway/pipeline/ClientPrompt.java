package gatehouse.gateway.pipeline;

import java.time.Duration;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How a step asks the person behind a request something through their client, in the request's
 * own generation: a 2025 session gets a real server-to-client request on the request's stream and
 * the step waits for the answer; a 2026-07-28 stateless request is answered with an
 * {@code input_required} result carrying the question, and the client's retry brings the answer in
 * {@code inputResponses}. The consent step uses it for URL-mode elicitation.
 */
public interface ClientPrompt {

    /** Whether the client declared URL-mode elicitation ({@code capabilities.elicitation.url}) for this request. */
    boolean urlElicitation();

    /** The client's answer under {@code key} that this request carries (a stateless retry), or null. */
    JsonNode answer(String key);

    /**
     * Asks {@code request} (a JSON-RPC request without id: {@code method} and {@code params}) under
     * {@code key} and returns the client's result. A stateless request cannot wait: this throws
     * {@link InputRequired}, and the request is answered with the question.
     */
    JsonNode ask(String key, ObjectNode request, Duration timeout);

    /** A notification to the client about this request (on its stream); dropped where there is none. */
    void notify(ObjectNode notification);

    /** The request is answered with an {@code input_required} result asking {@code inputRequests}. */
    final class InputRequired extends RuntimeException {
        private final transient ObjectNode inputRequests;

        public InputRequired(ObjectNode inputRequests) {
            super("input required", null, false, false);
            this.inputRequests = inputRequests;
        }

        public ObjectNode inputRequests() {
            return inputRequests;
        }
    }

    /** No client to ask (notifications, GET, the gateway's own sessions). */
    ClientPrompt NONE = new ClientPrompt() {
        @Override
        public boolean urlElicitation() {
            return false;
        }

        @Override
        public JsonNode answer(String key) {
            return null;
        }

        @Override
        public JsonNode ask(String key, ObjectNode request, Duration timeout) {
            throw new IllegalStateException("no client to ask");
        }

        @Override
        public void notify(ObjectNode notification) {
        }
    };
}
