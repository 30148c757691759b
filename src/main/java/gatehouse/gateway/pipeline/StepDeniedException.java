package gatehouse.gateway.pipeline;

import java.time.Duration;

import gatehouse.gateway.protocol.McpException;

/** A step denied a client's request: answered like any gateway error, logged as denied. */
final class StepDeniedException extends McpException {
    private final transient Duration retryAfter;

    StepDeniedException(Verdict.Deny deny) {
        super(deny.code(), deny.message(), deny.data());
        this.retryAfter = deny.retryAfter();
    }

    /** When the denial is a throttle: how long the client should wait; else null. */
    Duration retryAfter() {
        return retryAfter;
    }
}
