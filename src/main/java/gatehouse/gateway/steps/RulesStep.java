package gatehouse.gateway.steps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.gateway.pipeline.Decision;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Relayed;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.policy.rules.CompiledRule;
import gatehouse.policy.rules.RuleEngine;
import gatehouse.policy.rules.RuleEngine.Hit;
import gatehouse.policy.rules.RuleEngine.Outcome;
import gatehouse.policy.rules.RuleSpec.Flow;
import gatehouse.policy.rules.store.RuleAlerts;
import gatehouse.policy.rules.store.RuleService;
import tools.jackson.databind.node.ObjectNode;

/**
 * Content rules in the pipeline. Requests are checked before they go upstream (a block means the
 * upstream never sees them), final answers before the client does, and every relayed message by
 * the way it travels: toward the upstream it is a request-direction message (a client's answer to
 * sampling or elicitation), toward the client a response-direction one (a server's sampling or
 * elicitation request, notifications). Rules come from the in-memory {@link RuleService#view()};
 * a gateway without rules costs one map look-up. Alert-only rules on a remote engine (Presidio, a
 * webhook) run after the message has gone on, on a virtual thread, so they never add latency; their
 * decisions reach the exchange's log record, which waits for them off the request path.
 */
@Component
public class RulesStep implements Step {
    private static final Logger log = LoggerFactory.getLogger(RulesStep.class);
    /** Implementation-defined JSON-RPC server error: the request was refused by policy. */
    public static final int BLOCKED_CODE = -32003;
    public static final String BLOCKED_MESSAGE = "Blocked by a content rule of this gateway";

    private final RuleService rules;
    private final RuleAlerts alerts;
    private final ExecutorService deferred = Executors.newVirtualThreadPerTaskExecutor();

    public RulesStep(RuleService rules, RuleAlerts alerts) {
        this.rules = rules;
        this.alerts = alerts;
    }

    @Override
    public String name() {
        return "rules";
    }

    @Override
    public Verdict beforeUpstream(Exchange exchange) {
        return check(exchange, exchange.request(), Flow.REQUEST, exchange.method());
    }

    @Override
    public Verdict afterUpstream(Exchange exchange) {
        return check(exchange, exchange.response(), Flow.RESPONSE, exchange.method());
    }

    /** Only when a rule of the caller's gateway covers answers (a gateway without rules never does). */
    @Override
    public boolean readsResults(Exchange exchange) {
        if (exchange.caller() == null) {
            return true;
        }
        for (CompiledRule r : rules.view().rules(exchange.caller().gatewayId())) {
            if (r.spec().enabled() && r.spec().direction().covers(Flow.RESPONSE)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Verdict onRelay(Exchange exchange, Relayed message) {
        Flow flow = message.direction() == Relayed.Direction.TO_UPSTREAM ? Flow.REQUEST : Flow.RESPONSE;
        String method = message.message().path("method").isString() ? message.message().get("method").stringValue()
                : exchange.method();
        return check(exchange, message.message(), flow, method);
    }

    private Verdict check(Exchange exchange, ObjectNode message, Flow flow, String method) {
        if (message == null || exchange.caller() == null) {
            return Verdict.pass();
        }
        String gatewayId = exchange.caller().gatewayId();
        List<CompiledRule> all = rules.view().rules(gatewayId);
        if (all.isEmpty()) {
            return Verdict.pass();
        }
        List<CompiledRule> now = all;
        List<CompiledRule> later = List.of();
        if (all.stream().anyMatch(RulesStep::deferrable)) {
            now = all.stream().filter(r -> !deferrable(r)).toList();
            later = all.stream().filter(RulesStep::deferrable).toList();
        }
        if (!later.isEmpty()) {
            ObjectNode copy = message.deepCopy();
            List<CompiledRule> rs = later;
            // the log record of this exchange waits for these decisions (off the request path)
            exchange.decideLater(CompletableFuture.supplyAsync(() -> {
                try {
                    Outcome o = RuleEngine.evaluate(rs, flow, copy, rules.hashKey());
                    alerts.report(gatewayId, method, flowName(flow), o.hits());
                    return decisions(o.hits());
                } catch (RuntimeException e) {
                    log.warn("deferred content rule scan failed: {}", e.toString());
                    return List.of();
                }
            }, deferred));
        }
        if (now.isEmpty()) {
            return Verdict.pass();
        }
        Outcome outcome = RuleEngine.evaluate(now, flow, message, rules.hashKey());
        if (!outcome.hits().isEmpty()) {
            alerts.report(gatewayId, method, flowName(flow), outcome.hits());
        }
        List<Decision> decisions = decisions(outcome.hits());
        return switch (outcome) {
            case Outcome.Unchanged u -> decisions.isEmpty() ? Verdict.pass() : new Verdict.Flag(decisions);
            case Outcome.Changed c -> new Verdict.Replace(c.message(), decisions);
            case Outcome.Blocked b -> new Verdict.Deny(BLOCKED_CODE, BLOCKED_MESSAGE, null, decisions);
        };
    }

    /** A remote engine whose rule only alerts: nothing waits for its answer. */
    private static boolean deferrable(CompiledRule r) {
        return r.detector().remote() && !r.spec().enforcing();
    }

    private static String flowName(Flow flow) {
        return flow == Flow.REQUEST ? "request" : "response";
    }

    static List<Decision> decisions(List<Hit> hits) {
        List<Decision> out = new ArrayList<>(hits.size());
        for (Hit h : hits) {
            out.add(new Decision("rules", h.action(), h.details()));
        }
        return out;
    }
}
