package gatehouse.policy.rules.store;

import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Service;

import gatehouse.platform.Json;
import gatehouse.policy.rules.CompiledRule;
import gatehouse.policy.rules.RuleEngine;
import gatehouse.policy.rules.RuleInput;
import gatehouse.policy.rules.RuleSpec;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a gateway's rules (or one rule) would do to a sample text, as a tool argument, without
 * recording or alerting anything: the admin API's test endpoint and the console's live test box
 * both ask here, so they cannot disagree. Remote engines are really called.
 */
@Service
public class RuleTests {
    private final RuleService rules;

    RuleTests(RuleService rules) {
        this.rules = rules;
    }

    public record Finding(String ruleId, String rule, String action, String entity, int start, int end, String mode) {
    }

    public record Error(String ruleId, String rule, String error) {
    }

    /**
     * {@code outcome} is {@code pass}, {@code alert} (only reported), {@code change} ({@code text} is
     * the result) or {@code block} ({@code blockedBy} names the rule).
     */
    public record Result(String outcome, String text, String blockedBy, List<Finding> findings, List<Error> errors) {
    }

    /** One stored rule ({@code ruleId}, whatever its direction and even when disabled) or all of the gateway's. */
    public Result test(String gatewayId, String text, String ruleId, RuleSpec.Flow flow) {
        List<CompiledRule> selected;
        if (ruleId != null) {
            RuleSpec s = rules.get(gatewayId, ruleId);
            selected = List.of(compileOn(s));
        } else {
            selected = rules.view().rules(gatewayId);
        }
        return run(selected, text, flow);
    }

    /** A rule that is not stored (yet): validated like a new one, so a bad pattern is refused naming it. */
    public Result testDraft(String gatewayId, RuleInput draft, String text, RuleSpec.Flow flow) {
        RuleSpec s = RuleService.validate(draft, "draft", gatewayId, null, null).spec();
        return run(List.of(compileOn(s)), text, flow);
    }

    private static CompiledRule compileOn(RuleSpec s) {
        RuleSpec on = new RuleSpec(s.id(), s.gatewayId(), s.name(), s.type(), s.patterns(), s.entities(), s.minScore(), s.allowList(),
                s.url(), s.action(), s.replacement(), s.maskChar(), s.maskCount(), s.maskFromEnd(), RuleSpec.Applies.BOTH, s.mode(),
                s.failMode(), s.timeoutMs(), s.binary(), s.webhookFormat(), true, s.createdAt(), s.updatedAt());
        return RuleService.validate(RuleInput.of(on), on.id(), on.gatewayId(), on.createdAt(), on.updatedAt());
    }

    private Result run(List<CompiledRule> selected, String text, RuleSpec.Flow flow) {
        ObjectNode message = Json.object();
        message.put("jsonrpc", "2.0");
        message.put("id", "test");
        message.put("method", "tools/call");
        ObjectNode params = message.putObject("params");
        params.put("name", "test");
        params.putObject("arguments").put("text", text);
        RuleEngine.Outcome o = RuleEngine.evaluate(selected, flow, message, rules.hashKey());
        List<Finding> findings = new ArrayList<>();
        List<Error> errors = new ArrayList<>();
        for (RuleEngine.Hit h : o.hits()) {
            if (h.error() != null) {
                errors.add(new Error(h.ruleId(), h.ruleName(), h.error()));
            } else {
                findings.add(new Finding(h.ruleId(), h.ruleName(), h.action(), h.entity(), h.start(), h.end(),
                        h.enforced() ? "enforce" : "alert-only"));
            }
        }
        return switch (o) {
            case RuleEngine.Outcome.Blocked b -> new Result("block", null, b.ruleId(), findings, errors);
            case RuleEngine.Outcome.Changed c -> new Result("change",
                    c.message().path("params").path("arguments").path("text").stringValue(), null, findings, errors);
            case RuleEngine.Outcome.Unchanged u -> new Result(findings.isEmpty() && errors.isEmpty() ? "pass" : "alert", text, null,
                    findings, errors);
        };
    }
}
