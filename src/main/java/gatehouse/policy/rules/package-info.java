/**
 * Content rules, pure and free of Spring: what a rule is ({@link gatehouse.policy.rules.RuleSpec}),
 * the engines that find things in text (regex, the built-in PII analyzer in
 * {@code gatehouse.policy.rules.pii}, a Presidio Analyzer, an external DLP or guardrail webhook),
 * which strings of a JSON-RPC message a rule reads ({@link gatehouse.policy.rules.MessageTexts}),
 * and what it does with a finding ({@link gatehouse.policy.rules.RuleEngine}). Storage and the
 * published snapshot live in {@code gatehouse.policy.rules.store}; the pipeline step that applies
 * them is {@code gatehouse.gateway.steps.RulesStep}.
 */
package gatehouse.policy.rules;
