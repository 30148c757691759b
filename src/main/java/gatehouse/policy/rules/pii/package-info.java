/**
 * The built-in PII analyzer, modelled on Microsoft Presidio's: recognizers are data (entity,
 * patterns with base scores, context words, a validator), validators are Java checksums and
 * format rules, phone numbers go through libphonenumber, context words near a match raise its
 * score, per-entity thresholds and allow lists filter, and overlapping findings are resolved the
 * way Presidio resolves them. Speed comes from a hand-written scanner that runs a recognizer's
 * patterns only where its first character can start a match, never one alternation over all.
 */
package gatehouse.policy.rules.pii;
