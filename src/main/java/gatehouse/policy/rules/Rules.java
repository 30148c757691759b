package gatehouse.policy.rules;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

import gatehouse.policy.rules.pii.PiiAnalyzer;

/** Turns rule definitions into runnable rules; the one place that knows which engine serves which type. */
public final class Rules {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private Rules() {
    }

    /**
     * Compiles one rule: patterns are compiled, entity names checked, remote clients set up. Throws
     * {@link RuleException} naming the field (and pattern) at fault, so creation can refuse it.
     */
    public static CompiledRule compile(RuleSpec spec) {
        Detector d = switch (spec.type()) {
            case REGEX -> RegexDetector.compile(spec.patterns(), "REGEX");
            case PII -> new PiiDetector(new PiiAnalyzer(spec.entities(), spec.minScore(), spec.allowList()));
            case PRESIDIO -> new PresidioDetector(HTTP, spec.url(), spec.entities(), spec.minScore(), spec.allowList(),
                    Duration.ofMillis(spec.timeoutMs()));
            case WEBHOOK -> new WebhookDetector(HTTP, spec.url(), spec.webhookFormat(), Duration.ofMillis(spec.timeoutMs()));
        };
        return new CompiledRule(spec, d);
    }

    /** Compiles a list, skipping none: a rule that no longer compiles is reported by the caller. */
    public static List<CompiledRule> compileAll(List<RuleSpec> specs) {
        return specs.stream().map(Rules::compile).toList();
    }
}
