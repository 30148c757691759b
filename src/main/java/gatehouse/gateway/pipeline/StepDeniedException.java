package gatehouse.gateway.pipeline;

import gatehouse.gateway.protocol.McpException;

/** A step denied a client's request: answered like any gateway error, logged as denied. */
final class StepDeniedException extends McpException {
    StepDeniedException(Verdict.Deny deny) {
        super(deny.code(), deny.message(), deny.data());
    }
}
