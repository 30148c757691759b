package gatehouse.gateway.inputrequests;

import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a sealed {@code requestState} holds, one record per kind of round. {@link RequestStateSeal}
 * alone knows how each is written into the token.
 */
public sealed interface RequestState {
    /**
     * A 2025 upstream's call that the gateway turned into rounds: which parked call, which round,
     * and every answer so far (so another replica, or this one after a restart, can replay the call).
     */
    record Bridged(String callId, int round, ObjectNode answers) implements RequestState {
        public Bridged {
            if (callId == null || callId.isEmpty()) {
                throw new IllegalArgumentException("a bridged state names its call");
            }
            answers = answers == null ? Json.object() : answers.deepCopy();
        }

        /** A copy: the record stays as it was sealed. */
        @Override
        public ObjectNode answers() {
            return answers.deepCopy();
        }
    }

    /** A 2026 upstream's own round: its {@code requestState} (null if it sent none), passed back on the retry. */
    record Upstream(String upstreamState) implements RequestState {
    }
}
