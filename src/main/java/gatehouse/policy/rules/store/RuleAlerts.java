package gatehouse.policy.rules.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.alerts.AlertService;
import gatehouse.platform.Json;
import gatehouse.policy.rules.RuleEngine.Hit;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns rule hits that an administrator must see (alert-only rules, the alert action, engines that
 * failed) into alerts, off the request's thread and at most one per rule and kind per minute, so
 * a busy rule cannot flood the alert list; the count of hits in between goes into the next alert.
 * Alerts name the rule, the entity types, the method and where, never the matched text.
 */
@Component
public class RuleAlerts {
    private static final Logger log = LoggerFactory.getLogger(RuleAlerts.class);
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final AlertService alerts;
    private final Clock clock;
    private final ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private record Window(Instant until, int suppressed) {
    }

    @org.springframework.beans.factory.annotation.Autowired
    RuleAlerts(AlertService alerts) {
        this(alerts, Clock.systemUTC());
    }

    RuleAlerts(AlertService alerts, Clock clock) {
        this.alerts = alerts;
        this.clock = clock;
    }

    /** Reports the hits of one message that need an alert; returns immediately. */
    public void report(String gatewayId, String method, String flow, List<Hit> hits) {
        Map<String, List<Hit>> byRule = new LinkedHashMap<>();
        for (Hit h : hits) {
            boolean alert = !h.enforced() || h.action().equals("alert") || h.error() != null;
            if (alert) {
                byRule.computeIfAbsent(h.ruleId() + "|" + (h.error() != null ? "error" : "hit"), k -> new ArrayList<>()).add(h);
            }
        }
        byRule.forEach((key, list) -> {
            Instant now = clock.instant();
            int[] carried = {-1};
            windows.compute(key, (k, w) -> {
                if (w == null || now.isAfter(w.until())) {
                    carried[0] = w == null ? 0 : w.suppressed();
                    return new Window(now.plus(WINDOW), 0);
                }
                return new Window(w.until(), w.suppressed() + 1);
            });
            if (carried[0] >= 0) {
                raise(gatewayId, method, flow, list, carried[0]);
            }
        });
    }

    private void raise(String gatewayId, String method, String flow, List<Hit> hits, int suppressed) {
        Hit first = hits.getFirst();
        boolean error = first.error() != null;
        List<String> entities = hits.stream().map(Hit::entity).filter(e -> e != null).distinct().toList();
        String subject = "Rule '" + first.ruleName() + "'";
        String message = error
                ? "Rule '" + first.ruleName() + "' could not scan a " + method + " " + flow + ": " + first.error()
                + (first.action().equals("block") ? " (failed closed: blocked)" : " (failed open: passed)")
                : "Rule '" + first.ruleName() + "' " + (first.enforced() ? "alerted on" : "(alert-only) would have acted on")
                + " a " + method + " " + flow + ": " + hits.size() + " finding(s)" + (entities.isEmpty() ? "" : " of " + String.join(", ", entities))
                + (suppressed > 0 ? "; " + suppressed + " more message(s) since the last alert" : "");
        ObjectNode details = Json.object();
        details.put("ruleId", first.ruleId());
        details.put("method", method);
        details.put("flow", flow);
        details.put("mode", first.enforced() ? "enforce" : "alert-only");
        details.put("findings", hits.size());
        details.put("suppressedSinceLast", suppressed);
        var ents = details.putArray("entities");
        entities.forEach(ents::add);
        String type = error ? "rule-error" : "rule-alert";
        String severity = error ? "warning" : "info";
        writer.execute(() -> {
            try {
                alerts.raise(type, severity, subject, message, new AlertService.About(gatewayId, null, null), details);
            } catch (RuntimeException e) {
                log.warn("could not record a rule alert for rule {}: {}", first.ruleId(), e.toString());
            }
        });
    }
}
