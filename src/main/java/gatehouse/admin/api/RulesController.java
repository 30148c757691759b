package gatehouse.admin.api;

import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.catalog.CatalogService;
import gatehouse.platform.ProblemException;
import gatehouse.policy.rules.RuleInput;
import gatehouse.policy.rules.RuleSpec;
import gatehouse.policy.rules.store.RuleService;
import gatehouse.policy.rules.store.RuleTests;

/**
 * A gateway's content rules: create, list, read, change, delete, and try them on a sample text
 * without sending anything anywhere (the console's "test this rule").
 */
@RestController
@RequestMapping("/api/v1/gateways/{gid}/rules")
class RulesController {
    private final RuleService rules;
    private final RuleTests tests;
    private final CatalogService catalog;

    RulesController(RuleService rules, RuleTests tests, CatalogService catalog) {
        this.rules = rules;
        this.tests = tests;
        this.catalog = catalog;
    }

    record RuleView(String id, String gatewayId, String name, String type, List<String> patterns, List<String> entities, Double minScore,
                    List<String> allowList, String url, String action, String replacement, String maskChar, Integer maskCount,
                    boolean maskFromEnd, String direction, String mode, String failMode, int timeoutMs, String binary,
                    String webhookFormat, boolean enabled, Instant createdAt, Instant updatedAt) {
        static RuleView of(RuleSpec s) {
            return new RuleView(s.id(), s.gatewayId(), s.name(), RuleSpec.wire(s.type()), s.patterns(), s.entities(), s.minScore(),
                    s.allowList(), s.url(), RuleSpec.wire(s.action()), s.replacement(), s.maskChar() == null ? null : String.valueOf(s.maskChar()),
                    s.maskCount(), s.maskFromEnd(), RuleSpec.wire(s.direction()), RuleSpec.wire(s.mode()), RuleSpec.wire(s.failMode()),
                    s.timeoutMs(), RuleSpec.wire(s.binary()), s.webhookFormat(), s.enabled(), s.createdAt(), s.updatedAt());
        }
    }

    /** A sample to try: one rule ({@code ruleId}) or all of the gateway's, on {@code text} flowing {@code direction}. */
    record TestInput(String text, String ruleId, String direction) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    RuleView create(@PathVariable String gid, @RequestBody RuleInput in) {
        catalog.gateway(gid);
        return RuleView.of(rules.create(gid, in));
    }

    @GetMapping
    List<RuleView> list(@PathVariable String gid) {
        catalog.gateway(gid);
        return rules.list(gid).stream().map(RuleView::of).toList();
    }

    @GetMapping("/{rid}")
    RuleView get(@PathVariable String gid, @PathVariable String rid) {
        catalog.gateway(gid);
        return RuleView.of(rules.get(gid, rid));
    }

    @PatchMapping("/{rid}")
    RuleView update(@PathVariable String gid, @PathVariable String rid, @RequestBody RuleInput patch) {
        catalog.gateway(gid);
        return RuleView.of(rules.update(gid, rid, patch));
    }

    @DeleteMapping("/{rid}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String gid, @PathVariable String rid) {
        catalog.gateway(gid);
        rules.delete(gid, rid);
    }

    @PostMapping("/test")
    RuleTests.Result test(@PathVariable String gid, @RequestBody TestInput in) {
        catalog.gateway(gid);
        if (in.text() == null) {
            throw ProblemException.invalid("text", "text is required");
        }
        RuleSpec.Flow flow = "response".equalsIgnoreCase(in.direction()) ? RuleSpec.Flow.RESPONSE : RuleSpec.Flow.REQUEST;
        if (in.direction() != null && !in.direction().equalsIgnoreCase("request") && !in.direction().equalsIgnoreCase("response")) {
            throw ProblemException.invalid("direction", "direction must be request or response");
        }
        return tests.test(gid, in.text(), in.ruleId(), flow);
    }

}
