package gatehouse.gateway.session;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.alerts.AlertService;
import gatehouse.platform.Json;

/**
 * Tells administrators when a bound of the data plane is reached (sessions per replica or per
 * connection, listen streams per connection): a {@code bound-reached} alert naming the bound, its
 * setting and whose requests hit it. At most one per bound and caller every ten minutes, so a
 * client hammering a limit does not turn into a stream of alerts and database writes.
 */
@Component
public class BoundAlerts {
    private static final Logger log = LoggerFactory.getLogger(BoundAlerts.class);
    private static final Duration QUIET = Duration.ofMinutes(10);

    private final AlertService alerts;
    private final Map<String, Long> last = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 1_000;
        }
    };

    public BoundAlerts(AlertService alerts) {
        this.alerts = alerts;
    }

    /**
     * @param setting   the configuration property that sets the bound
     * @param subject   whose requests reached it (a connection id, or "replica")
     * @param gatewayId the gateway concerned, or null
     */
    public void reached(String setting, int limit, String subject, String gatewayId, String message) {
        long now = System.nanoTime();
        String key = setting + "\n" + subject;
        synchronized (last) {
            Long at = last.get(key);
            if (at != null && now - at < QUIET.toNanos()) {
                return;
            }
            last.put(key, now);
        }
        try {
            alerts.raise("bound-reached", "warning", setting + " " + subject, message,
                    new AlertService.About(gatewayId, null, null),
                    Json.object().put("setting", setting).put("limit", limit).put("subject", subject));
        } catch (RuntimeException e) {
            log.warn("could not raise the bound-reached alert for {}: {}", setting, e.toString());
        }
    }
}
