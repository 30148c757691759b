package gatehouse.gateway.pipeline;

import java.time.Duration;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a {@link Step} decided about a message. Sealed, so a new kind of verdict does not compile
 * until every place that acts on verdicts decides what it means.
 */
public sealed interface Verdict {

    /** Decisions to record in the exchange's log record, whatever the verdict. */
    List<Decision> decisions();

    /** Nothing to say: the message goes on unchanged. */
    record Pass() implements Verdict {
        @Override
        public List<Decision> decisions() {
            return List.of();
        }
    }

    /** The message goes on, but something is recorded (an alert-only rule hit, a quarantine). */
    record Flag(List<Decision> decisions) implements Verdict {
        public Flag {
            decisions = List.copyOf(decisions);
        }
    }

    /** The message goes on as {@code message} instead (a redaction, a filtered list). */
    record Replace(ObjectNode message, List<Decision> decisions) implements Verdict {
        public Replace {
            if (message == null) {
                throw new IllegalArgumentException("a replacement message is required");
            }
            decisions = List.copyOf(decisions);
        }
    }

    /**
     * The message stops here. A request is answered with this JSON-RPC error (its wording must not
     * leak what was matched); a relayed notification is dropped. With {@code retryAfter} the denial
     * is a throttle: the request is answered with HTTP 429 and {@code Retry-After} (whole seconds,
     * rounded up) in both protocol generations, so clients back off instead of retrying at once.
     */
    record Deny(int code, String message, JsonNode data, List<Decision> decisions, Duration retryAfter) implements Verdict {
        public Deny {
            if (message == null || message.isBlank()) {
                throw new IllegalArgumentException("a denial needs a client-facing message");
            }
            if (retryAfter != null && retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must not be negative");
            }
            decisions = List.copyOf(decisions);
        }

        public Deny(int code, String message, JsonNode data, List<Decision> decisions) {
            this(code, message, data, decisions, null);
        }
    }

    Pass PASS = new Pass();

    static Verdict pass() {
        return PASS;
    }

    static Verdict flag(Decision decision) {
        return new Flag(List.of(decision));
    }

    static Verdict replace(ObjectNode message, Decision... decisions) {
        return new Replace(message, List.of(decisions));
    }

    static Verdict deny(int code, String message, Decision... decisions) {
        return new Deny(code, message, null, List.of(decisions));
    }

    /** A throttle: HTTP 429 with {@code Retry-After}, and this JSON-RPC error. */
    static Verdict throttle(int code, String message, JsonNode data, Duration retryAfter, Decision... decisions) {
        if (retryAfter == null) {
            throw new IllegalArgumentException("a throttle says when to retry");
        }
        return new Deny(code, message, data, List.of(decisions), retryAfter);
    }
}
