/**
 * Where content rules live and how the data plane sees them: rules are stored per gateway
 * ({@link gatehouse.policy.rules.store.RuleRepository}), validated and changed by
 * {@link gatehouse.policy.rules.store.RuleService}, and published as an immutable, compiled
 * {@link gatehouse.policy.rules.store.RulesView} that the pipeline reads without touching the
 * database; other replicas' changes arrive by a periodic re-read, like the catalog's.
 */
package gatehouse.policy.rules.store;
