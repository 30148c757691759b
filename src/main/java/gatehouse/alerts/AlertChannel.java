package gatehouse.alerts;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;

/**
 * Where alerts go to people: a generic webhook (the alert as JSON), a Slack-compatible incoming
 * webhook ({@code {"text": …}}), or e-mail over SMTP. {@code alertTypes} routes: only alerts of
 * those types (all when empty). The URL holds the webhook's secret: stored sealed, answered only
 * as its origin ({@code urlOrigin}).
 */
public record AlertChannel(String id, String name, String type, String urlOrigin, Smtp smtp, List<String> alertTypes,
                           Instant createdAt, Instant lastSentAt, String lastError) {

    public static final List<String> TYPES = List.of("webhook", "slack", "smtp");

    /** SMTP settings; {@code password} is accepted but never answered. */
    public record Smtp(String host, Integer port, String from,
                       @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> to,
                       String username, String password, Boolean startTls) {
        public Smtp withoutPassword() {
            return new Smtp(host, port, from, to, username, null, startTls);
        }
    }

    public boolean routes(String alertType) {
        return alertTypes == null || alertTypes.isEmpty() || alertTypes.contains(alertType);
    }
}
