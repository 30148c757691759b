package gatehouse.alerts;

import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import gatehouse.platform.Ids;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Creates, lists and deletes alert channels; webhook URLs and SMTP passwords are sealed at rest. */
@Service
public class AlertChannels {
    private final JdbcClient jdbc;
    private final SecretBox secrets;
    private final AlertDelivery delivery;
    /** What delivery reads and records here (the channels stay this class's own). */
    private final AlertDelivery.Channels book = new AlertDelivery.Channels() {
        @Override
        public List<Target> targets() {
            return AlertChannels.this.targets();
        }

        @Override
        public void delivered(String channelId, String error) {
            AlertChannels.this.delivered(channelId, error);
        }
    };

    AlertChannels(JdbcClient jdbc, SecretBox secrets, AlertDelivery delivery) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.delivery = delivery;
    }

    /** What the admin API accepts. */
    public record Input(String name, String type, String url, AlertChannel.Smtp smtp, List<String> alertTypes) {
    }

    /**
     * What a test send did: delivered or not, the receiver's HTTP status (webhook and Slack; null for
     * e-mail or when nothing answered), and why it failed. Never the channel's URL or password.
     */
    public record TestResult(String channelId, boolean delivered, Integer status, String error, Instant at) {
    }

    /** A channel with its secrets, for delivery only. */
    record Target(AlertChannel channel, String url, AlertChannel.Smtp smtp) {
    }

    public AlertChannel create(Input in) {
        if (in == null || in.name() == null || in.name().isBlank() || in.name().length() > 128) {
            throw ProblemException.invalid("name", "name is required (at most 128 characters)");
        }
        if (in.type() == null || !AlertChannel.TYPES.contains(in.type())) {
            throw ProblemException.invalid("type", "type must be webhook, slack or smtp");
        }
        String url = null;
        AlertChannel.Smtp smtp = null;
        if (in.type().equals("smtp")) {
            smtp = in.smtp();
            if (smtp == null || smtp.host() == null || smtp.host().isBlank() || smtp.port() == null || smtp.port() < 1
                    || smtp.port() > 65535) {
                throw ProblemException.invalid("smtp", "smtp needs host and port (1..65535)");
            }
            if (smtp.from() == null || !smtp.from().contains("@") || smtp.to() == null || smtp.to().isEmpty()
                    || smtp.to().stream().anyMatch(t -> t == null || !t.contains("@"))) {
                throw ProblemException.invalid("smtp", "smtp needs from and to (a list of e-mail addresses)");
            }
        } else {
            url = in.url();
            URI u;
            try {
                u = url == null ? null : URI.create(url);
            } catch (IllegalArgumentException e) {
                u = null;
            }
            if (u == null || u.getHost() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http"))) {
                throw ProblemException.invalid("url", "url must be an http(s) URL");
            }
        }
        List<String> types = in.alertTypes() == null ? List.of() : List.copyOf(in.alertTypes());
        if (jdbc.sql("SELECT COUNT(*) FROM alert_channels WHERE name = ?").param(in.name()).query(Long.class).single() > 0) {
            throw ProblemException.conflict("name", "an alert channel named '" + in.name() + "' exists");
        }
        String id = Ids.id("ach");
        Instant now = Instant.now();
        ObjectNode smtpJson = null;
        if (smtp != null) {
            smtpJson = (ObjectNode) Json.MAPPER.valueToTree(smtp.withoutPassword());
            if (smtp.password() != null) {
                smtpJson.put("passwordSealed", secrets.encrypt(smtp.password()));
            }
        }
        jdbc.sql("INSERT INTO alert_channels (id, name, type, url_sealed, smtp, alert_types, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(id, in.name(), in.type(), url == null ? null : secrets.encrypt(url), smtpJson == null ? null : Json.string(smtpJson),
                        Json.string(types), Timestamp.from(now))
                .update();
        return get(id);
    }

    public List<AlertChannel> list() {
        return targets().stream().map(Target::channel).toList();
    }

    public AlertChannel get(String id) {
        return jdbc.sql("SELECT * FROM alert_channels WHERE id = ?").param(id).query(this::target).optional().map(Target::channel)
                .orElseThrow(() -> ProblemException.notFound("alert channel", id));
    }

    public void delete(String id) {
        if (jdbc.sql("DELETE FROM alert_channels WHERE id = ?").param(id).update() == 0) {
            throw ProblemException.notFound("alert channel", id);
        }
    }

    /**
     * Sends a test alert (type {@code test}, severity info; not stored, not routed by type) to this
     * channel now and answers what happened, so an administrator sees at once whether the URL,
     * the Slack hook or the mail server works.
     */
    public TestResult sendTest(String id, String requestedBy) {
        Target t = jdbc.sql("SELECT * FROM alert_channels WHERE id = ?").param(id).query(this::target).optional()
                .orElseThrow(() -> ProblemException.notFound("alert channel", id));
        Instant now = Instant.now();
        String by = requestedBy == null || requestedBy.isBlank() ? "an administrator" : requestedBy;
        Alert test = new Alert(Ids.id("alr"), "test", Alert.INFO, "Test alert for channel '" + t.channel().name() + "'",
                "A test sent by " + by + " to check that alerts reach this channel.", Alert.OPEN, null, null, null, null, now, now, 1, now);
        return delivery.sendNow(t, test, book);
    }

    /** Queues an alert for every channel that routes its type; returns at once. */
    void deliver(Alert alert) {
        delivery.deliver(alert, book);
    }

    List<Target> targets() {
        return jdbc.sql("SELECT * FROM alert_channels ORDER BY created_at, id").query(this::target).list();
    }

    void delivered(String id, String error) {
        jdbc.sql("UPDATE alert_channels SET last_sent_at = ?, last_error = ? WHERE id = ?")
                .params(Timestamp.from(Instant.now()), error == null ? null : error.length() > 1000 ? error.substring(0, 1000) : error, id)
                .update();
    }

    private Target target(ResultSet rs, int n) throws SQLException {
        String sealed = rs.getString("url_sealed");
        String url = sealed == null ? null : secrets.decrypt(sealed);
        AlertChannel.Smtp smtp = null;
        String smtpText = rs.getString("smtp");
        if (smtpText != null) {
            JsonNode j = Json.tree(smtpText);
            List<String> to = new ArrayList<>();
            j.path("to").forEach(t -> to.add(t.asString()));
            String password = j.hasNonNull("passwordSealed") ? secrets.decrypt(j.get("passwordSealed").asString()) : null;
            smtp = new AlertChannel.Smtp(j.path("host").asString(), j.path("port").asInt(), j.path("from").asString(), to,
                    j.path("username").asString(null), password, j.path("startTls").asBoolean(false));
        }
        List<String> types = new ArrayList<>();
        Json.tree(Optional.ofNullable(rs.getString("alert_types")).orElse("[]")).forEach(t -> types.add(t.asString()));
        String origin = null;
        if (url != null) {
            URI u = URI.create(url);
            origin = u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
        }
        Timestamp last = rs.getTimestamp("last_sent_at");
        AlertChannel c = new AlertChannel(rs.getString("id"), rs.getString("name"), rs.getString("type"), origin,
                smtp == null ? null : smtp.withoutPassword(), List.copyOf(types), rs.getTimestamp("created_at").toInstant(),
                last == null ? null : last.toInstant(), rs.getString("last_error"));
        return new Target(c, url, smtp);
    }
}
