package gatehouse.console;

import java.util.Arrays;
import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.catalog.GatewayDef;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;
import gatehouse.policy.rules.RuleInput;
import gatehouse.policy.rules.RuleSpec;
import gatehouse.policy.rules.pii.Recognizers;
import gatehouse.policy.rules.store.RuleService;
import gatehouse.policy.rules.store.RuleTests;

/**
 * A gateway's Rules tab: the rules in evaluation order, a form that shows every field the rules API
 * takes, and a live test box (htmx) that asks the same {@link RuleTests} as the API's test endpoint,
 * for the stored rules or for the rule being edited before it is saved. Everything needs
 * {@code gateway.rules} on the gateway, as in the API.
 */
@Controller
class GatewayRulesController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final GatewayPages pages;
    private final RuleService rules;
    private final RuleTests tests;

    GatewayRulesController(ConsoleAccess access, ConsoleAudit audit, GatewayPages pages, RuleService rules, RuleTests tests) {
        this.access = access;
        this.audit = audit;
        this.pages = pages;
        this.rules = rules;
        this.tests = tests;
    }

    /** The choices the form offers, from the rule model itself. */
    record Choices(List<String> types, List<String> actions, List<String> directions, List<String> modes, List<String> failModes,
                   List<String> binaries, List<String> webhookFormats, List<String> entities) {
        static final Choices ALL = new Choices(wires(RuleSpec.Engine.class), wires(RuleSpec.Action.class), wires(RuleSpec.Applies.class),
                wires(RuleSpec.Mode.class), wires(RuleSpec.FailMode.class), wires(RuleSpec.BinaryPolicy.class), List.of("generic", "bedrock"),
                Recognizers.known().stream().sorted().toList());

        private static <E extends Enum<E>> List<String> wires(Class<E> type) {
            return Arrays.stream(type.getEnumConstants()).map(RuleSpec::wire).toList();
        }
    }

    /**
     * The form as posted: lists one entry per line (entities also comma-separated), numbers as text,
     * check boxes present or absent. Empty means "the default".
     */
    record RuleForm(String name, String type, String patterns, String entities, String minScore, String allowList, String url,
                    String action, String replacement, String maskChar, String maskCount, String maskFromEnd, String direction,
                    String mode, String failMode, String timeoutMs, String binary, String webhookFormat, String enabled) {

        static RuleForm blank() {
            return new RuleForm("", "pii", "", "", "", "", "", "redact", "", "", "", null, "both", "alert-only", "open", "", "pass",
                    "generic", "on");
        }

        static RuleForm of(RuleSpec s) {
            return new RuleForm(s.name(), RuleSpec.wire(s.type()), String.join("\n", s.patterns()), String.join(", ", s.entities()),
                    s.minScore() == null ? "" : String.valueOf(s.minScore()), String.join("\n", s.allowList()), s.url() == null ? "" : s.url(),
                    RuleSpec.wire(s.action()), s.replacement() == null ? "" : s.replacement(),
                    s.maskChar() == null ? "" : String.valueOf(s.maskChar()), s.maskCount() == null ? "" : String.valueOf(s.maskCount()),
                    s.maskFromEnd() ? "on" : null, RuleSpec.wire(s.direction()), RuleSpec.wire(s.mode()), RuleSpec.wire(s.failMode()),
                    String.valueOf(s.timeoutMs()), RuleSpec.wire(s.binary()), s.webhookFormat(), s.enabled() ? "on" : null);
        }

        RuleInput input() {
            return new RuleInput(name == null ? null : name.strip(), blankToNull(type), lines(patterns), entityList(entities),
                    number("minScore", minScore, Double::valueOf), lines(allowList), blankToNull(url), blankToNull(action),
                    blankToNull(replacement), maskChar == null || maskChar.isEmpty() ? null : maskChar,
                    number("maskCount", maskCount, Integer::valueOf), maskFromEnd != null, blankToNull(direction), blankToNull(mode),
                    blankToNull(failMode), number("timeoutMs", timeoutMs, Integer::valueOf), blankToNull(binary), blankToNull(webhookFormat),
                    enabled != null);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }

        private static List<String> lines(String s) {
            return s == null ? List.of() : s.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        }

        private static List<String> entityList(String s) {
            return s == null ? List.of() : Arrays.stream(s.split("[,\\s]+")).filter(e -> !e.isBlank()).toList();
        }

        private static <T> T number(String field, String s, java.util.function.Function<String, T> parse) {
            if (s == null || s.isBlank()) {
                return null;
            }
            try {
                return parse.apply(s.strip());
            } catch (NumberFormatException e) {
                throw ProblemException.invalid(field, field + " must be a number");
            }
        }
    }

    /** A rule as the list shows it (wire names). */
    record RuleRow(String id, String name, String type, List<String> patterns, List<String> entities, String url, String action,
                   String direction, String mode, boolean enabled) {
        static RuleRow of(RuleSpec s) {
            return new RuleRow(s.id(), s.name(), RuleSpec.wire(s.type()), s.patterns(), s.entities(), s.url(), RuleSpec.wire(s.action()),
                    RuleSpec.wire(s.direction()), RuleSpec.wire(s.mode()), s.enabled());
        }
    }

    private GatewayDef gateway(ConsoleAccess.Viewer viewer, String gid, Model model) {
        GatewayDef g = access.gateway(viewer, gid, Permission.GATEWAY_RULES);
        if (model != null) {
            pages.header(viewer, g, "rules", model);
        }
        return g;
    }

    @GetMapping("/console/gateways/{gid}/rules")
    String list(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Model model) {
        GatewayDef g = gateway(viewer, gid, model);
        model.addAttribute("rules", rules.list(g.id()).stream().map(RuleRow::of).toList());
        return "console/gateway-rules";
    }

    @GetMapping("/console/gateways/{gid}/rules/new")
    String newRule(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, Model model) {
        gateway(viewer, gid, model);
        return form(model, null, RuleForm.blank(), null);
    }

    @GetMapping("/console/gateways/{gid}/rules/{rid}")
    String edit(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String rid, Model model) {
        GatewayDef g = gateway(viewer, gid, model);
        RuleSpec s = rules.get(g.id(), rid);
        return form(model, s, RuleForm.of(s), null);
    }

    private String form(Model model, RuleSpec rule, RuleForm form, ProblemException error) {
        model.addAttribute("rule", rule);
        model.addAttribute("form", form);
        model.addAttribute("choices", Choices.ALL);
        if (error != null) {
            model.addAttribute("error", error.getMessage());
            model.addAttribute("errorField", error.field());
        }
        return "console/gateway-rule-form";
    }

    @PostMapping("/console/gateways/{gid}/rules")
    String create(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, RuleForm form, Model model,
                  RedirectAttributes flash) {
        GatewayDef g = gateway(viewer, gid, null);
        RuleSpec created;
        try {
            created = rules.create(g.id(), form.input());
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw e;
            }
            pages.header(viewer, g, "rules", model);
            return form(model, null, form, e); // the form again, as typed, with the reason
        }
        audit.record(viewer, "POST /gateways/{}/rules", "/gateways/" + g.id() + "/rules/" + created.id(), null, RuleInput.of(created));
        flash.addFlashAttribute("info", "Rule '" + created.name() + "' created" + (created.enforcing() ? "." : " in alert-only mode: it changes nothing yet."));
        return "redirect:/console/gateways/" + g.id() + "/rules";
    }

    @PostMapping("/console/gateways/{gid}/rules/{rid}")
    String update(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String rid, RuleForm form,
                  Model model, RedirectAttributes flash) {
        GatewayDef g = gateway(viewer, gid, null);
        RuleSpec before = rules.get(g.id(), rid);
        RuleSpec after;
        try {
            after = rules.replace(g.id(), rid, form.input());
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw e;
            }
            pages.header(viewer, g, "rules", model);
            return form(model, before, form, e);
        }
        audit.record(viewer, "PATCH /gateways/{}/rules/{}", "/gateways/" + g.id() + "/rules/" + rid, RuleInput.of(before), RuleInput.of(after));
        flash.addFlashAttribute("info", "Rule '" + after.name() + "' saved.");
        return "redirect:/console/gateways/" + g.id() + "/rules";
    }

    @PostMapping("/console/gateways/{gid}/rules/{rid}/delete")
    String delete(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @PathVariable String rid,
                  RedirectAttributes flash) {
        GatewayDef g = gateway(viewer, gid, null);
        RuleSpec before = rules.get(g.id(), rid);
        rules.delete(g.id(), rid);
        audit.record(viewer, "DELETE /gateways/{}/rules/{}", "/gateways/" + g.id() + "/rules/" + rid, RuleInput.of(before), null);
        flash.addFlashAttribute("info", "Rule '" + before.name() + "' deleted.");
        return "redirect:/console/gateways/" + g.id() + "/rules";
    }

    /** The live test box on the list: the stored rules (all, or one), on the sample text. An htmx fragment. */
    @PostMapping("/console/gateways/{gid}/rules/test")
    String test(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, @RequestParam(defaultValue = "") String text,
                @RequestParam(required = false) String ruleId, @RequestParam(defaultValue = "request") String flow, Model model) {
        GatewayDef g = gateway(viewer, gid, null);
        return result(model, text, () -> tests.test(g.id(), text, ruleId == null || ruleId.isBlank() ? null : ruleId, flow(flow)));
    }

    /** The live test box of the form: the rule as it stands in the form, not yet saved. An htmx fragment. */
    @PostMapping("/console/gateways/{gid}/rules/draft-test")
    String draftTest(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String gid, RuleForm form,
                     @RequestParam(name = "sample", defaultValue = "") String sample, @RequestParam(defaultValue = "request") String flow,
                     Model model) {
        GatewayDef g = gateway(viewer, gid, null);
        RuleForm named = form.name() == null || form.name().isBlank() ? withName(form) : form;
        return result(model, sample, () -> tests.testDraft(g.id(), named.input(), sample, flow(flow)));
    }

    private static RuleForm withName(RuleForm f) {
        return new RuleForm("(this rule)", f.type(), f.patterns(), f.entities(), f.minScore(), f.allowList(), f.url(), f.action(),
                f.replacement(), f.maskChar(), f.maskCount(), f.maskFromEnd(), f.direction(), f.mode(), f.failMode(), f.timeoutMs(),
                f.binary(), f.webhookFormat(), f.enabled());
    }

    private static RuleSpec.Flow flow(String flow) {
        return switch (flow) {
            case "request" -> RuleSpec.Flow.REQUEST;
            case "response" -> RuleSpec.Flow.RESPONSE;
            default -> throw new IllegalArgumentException("flow must be request or response");
        };
    }

    /** A finding with the part of the sample it covers, for the result table. */
    record Shown(RuleTests.Finding finding, String matched) {
    }

    private String result(Model model, String text, java.util.function.Supplier<RuleTests.Result> run) {
        if (text.isEmpty()) {
            model.addAttribute("empty", true);
            return "console/gateway-rules :: testResult";
        }
        try {
            RuleTests.Result r = run.get();
            model.addAttribute("result", r);
            model.addAttribute("shown", r.findings().stream().map(f -> new Shown(f,
                    f.start() >= 0 && f.end() <= text.length() && f.start() <= f.end() ? text.substring(f.start(), f.end()) : "")).toList());
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw e;
            }
            model.addAttribute("testError", e.getMessage());
        }
        return "console/gateway-rules :: testResult";
    }
}
