package gatehouse.gateway.steps;

import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Component;

import gatehouse.audit.AuditLog;
import gatehouse.audit.LogRecord;
import gatehouse.gateway.pipeline.Decision;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.platform.Json;

/**
 * Audit: every message the gateway handled becomes one log record, with every decision the steps
 * before it made, written off the request path. Open streams (GET) and session ends are not
 * messages; their refusals are.
 */
@Component
public class AuditStep implements Step {
    private final AuditLog audit;

    public AuditStep(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public String name() {
        return "audit";
    }

    @Override
    public void onComplete(Exchange x) {
        String kind = x.kind();
        if (kind.equals("stream") || kind.equals("session-end")) {
            return;
        }
        Exchange.Caller caller = x.caller();
        audit.record(new LogRecord(Instant.now(), x.correlationId(), x.sessionId(),
                caller == null ? null : caller.connectionId(), caller == null ? null : caller.gatewayId(), x.serverId(),
                caller == null ? null : caller.userId(), "client", kind, x.method(), x.target(), x.elapsedMs(), x.status(),
                x.errorCode(), x.errorMessage(), decisions(x.decisions()), x.input(), x.output()));
    }

    /** The decisions as the log record's JSON array; null when there were none. */
    static String decisions(List<Decision> decisions) {
        if (decisions.isEmpty()) {
            return null;
        }
        return Json.MAPPER.writeValueAsString(decisions.stream().map(d -> java.util.Map.of("step", d.step(), "action", d.action(),
                "details", d.details())).toList());
    }
}
