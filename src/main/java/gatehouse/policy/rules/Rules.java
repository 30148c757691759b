package gatehouse.policy.rules;

import java.time.Duration;
import java.util.List;

import gatehouse.policy.rules.pii.PiiAnalyzer;

/** Turns rule definitions into runnable rules; the one place that knows which engine serves which type. */
public final class Rules {
    private Rules() {
    }

    /** Where Presidio analyzers and DLP webhooks may be reached ({@code gatehouse.http.outbound.*}); set once at start. */
    public static void outbound(gatehouse.platform.OutboundProperties settings) {
        RemoteCalls.configure(settings);
    }

    /**
     * Compiles one rule: patterns are compiled, entity names checked, remote clients set up. Throws
     * {@link RuleException} naming the field (and pattern) at fault, so creation can refuse it.
     */
    public static CompiledRule compile(RuleSpec spec) {
        Detector d = switch (spec.type()) {
            case REGEX -> RegexDetector.compile(spec.patterns(), "REGEX");
            case PII -> new PiiDetector(new PiiAnalyzer(spec.entities(), spec.minScore(), spec.allowList()));
            case PRESIDIO -> new PresidioDetector(spec.url(), spec.entities(), spec.minScore(), spec.allowList(),
                    Duration.ofMillis(spec.timeoutMs()));
            case WEBHOOK -> new WebhookDetector(spec.url(), spec.webhookFormat(), Duration.ofMillis(spec.timeoutMs()));
        };
        return new CompiledRule(spec, d);
    }

    /** Compiles a list, skipping none: a rule that no longer compiles is reported by the caller. */
    public static List<CompiledRule> compileAll(List<RuleSpec> specs) {
        return specs.stream().map(Rules::compile).toList();
    }
}
