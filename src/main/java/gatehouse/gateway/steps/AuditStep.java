package gatehouse.gateway.steps;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import gatehouse.audit.AuditLog;
import gatehouse.audit.LogRecord;
import gatehouse.gateway.pipeline.Decision;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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
        JsonNode client = x.clientInfo();
        ObjectNode request = x.request();
        Instant time = Instant.now();
        double durationMs = x.elapsedMs();
        List<Decision> now = x.decisions();
        java.util.function.Function<List<Decision>, LogRecord> record = decisions -> new LogRecord(time, x.correlationId(),
                x.sessionId(), caller == null ? null : caller.connectionId(), caller == null ? null : caller.gatewayId(), x.serverId(),
                caller == null ? null : caller.userId(), "client", kind, x.method(), x.target(), durationMs, x.status(),
                x.errorCode(), x.errorMessage(), decisions(decisions), x.input(), x.output())
                .withClient(caller == null ? null : caller.hostId(), client == null ? null : client.path("name").asString(null),
                        client == null ? null : client.path("version").asString(null))
                .withTiming(request != null && request.has("params") ? arguments(request.get("params")) : null,
                        x.upstreamNanos() > 0 ? x.upstreamNanos() / 1e6 : null, x.attribute(TelemetryStep.TRACE_ID))
                .withSpan(x.attribute(TelemetryStep.TRACE_ID), x.attribute(TelemetryStep.SPAN_ID));
        List<CompletableFuture<List<Decision>>> later = x.laterDecisions();
        if (later.isEmpty()) {
            audit.record(record.apply(now));
            return;
        }
        // decisions made after the message went on (alert-only remote scans): written when they are in,
        // or after the bound with those that are
        CompletableFuture.allOf(later.toArray(CompletableFuture[]::new)).completeOnTimeout(null, LATER_DECISIONS_WAIT.toMillis(),
                TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
                    List<Decision> all = new ArrayList<>(now);
                    for (CompletableFuture<List<Decision>> f : later) {
                        if (f.isDone() && !f.isCompletedExceptionally()) {
                            all.addAll(f.join());
                        }
                    }
                    audit.record(record.apply(all));
                });
    }

    /** How long a log record waits for decisions made after the message went on (above every remote engine's timeout). */
    static final Duration LATER_DECISIONS_WAIT = Duration.ofSeconds(60);

    /**
     * What the caller sent, whose UTF-8 JSON size the record gets: a call's arguments, otherwise its
     * params. The log writer measures it, so the request thread does not serialize it again.
     */
    static JsonNode arguments(JsonNode params) {
        return params.has("arguments") ? params.get("arguments") : params;
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
