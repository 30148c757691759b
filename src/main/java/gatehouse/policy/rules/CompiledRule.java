package gatehouse.policy.rules;

/** A rule ready to run: its definition and its engine, built once when the rule set is published. */
public record CompiledRule(RuleSpec spec, Detector detector) {
}
