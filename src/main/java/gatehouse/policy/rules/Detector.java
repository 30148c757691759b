package gatehouse.policy.rules;

import java.util.List;

/**
 * An engine that reads the strings of one message and says what it found in each. Local engines
 * (regex, the built-in PII analyzer) answer from memory; remote ones (Presidio, a DLP webhook)
 * answer within the rule's timeout or throw {@link DetectorException}, and the rule's failure mode
 * decides what that means.
 */
public sealed interface Detector permits RegexDetector, PiiDetector, PresidioDetector, WebhookDetector {

    /** Findings for each text, in the order given; {@code blockAll} when the engine's verdict is to stop the message. */
    record Detection(List<List<Finding>> findings, boolean blockAll) {
        public Detection {
            findings = List.copyOf(findings);
        }
    }

    /** Scans {@code texts}, which travel {@code flow} (a guardrail may judge input and output differently). */
    Detection detect(List<String> texts, RuleSpec.Flow flow);

    /** Whether a call may take long (a network service): such rules run off the hot path when they only alert. */
    default boolean remote() {
        return false;
    }
}
