package gatehouse.policy.rules;

import java.util.ArrayList;
import java.util.List;

import gatehouse.policy.rules.pii.PiiAnalyzer;

/** A {@code pii} rule on the built-in analyzer: local, no I/O, one analyzer built when the rule is compiled. */
public final class PiiDetector implements Detector {
    private final PiiAnalyzer analyzer;

    public PiiDetector(PiiAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    @Override
    public Detection detect(List<String> texts, RuleSpec.Flow flow) {
        List<List<Finding>> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(analyzer.analyze(t));
        }
        return new Detection(out, false);
    }
}
