/**
 * Measuring the PII engines: a seeded, labelled corpus generated from templates and fake data
 * ({@link gatehouse.policy.rules.pii.accuracy.Corpus}), span scoring by intersection over union
 * ({@link gatehouse.policy.rules.pii.accuracy.Scores}), and the runnable reports that compare the
 * built-in analyzer with a real Presidio ({@link gatehouse.policy.rules.pii.accuracy.AccuracyReport})
 * and measure scan throughput ({@link gatehouse.policy.rules.pii.accuracy.ScanBenchmark}).
 */
package gatehouse.policy.rules.pii.accuracy;
