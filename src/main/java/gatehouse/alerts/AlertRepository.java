package gatehouse.alerts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import gatehouse.platform.Json;

@Repository
class AlertRepository {
    private final JdbcClient jdbc;

    AlertRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Alert a) {
        jdbc.sql("INSERT INTO alerts (id, type, severity, subject, message, state, gateway_id, server_id, feature_id, details, time, updated_at, "
                        + "occurrences, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(a.id(), a.type(), a.severity(), a.subject(), a.message(), a.state(), a.gatewayId(), a.serverId(), a.featureId(),
                        a.details() == null ? null : Json.string(a.details()), Timestamp.from(a.time()), Timestamp.from(a.updatedAt()),
                        a.occurrences(), Timestamp.from(a.lastSeen()))
                .update();
    }

    void update(Alert a) {
        jdbc.sql("UPDATE alerts SET severity = ?, subject = ?, message = ?, state = ?, details = ?, updated_at = ?, occurrences = ?, "
                        + "last_seen = ? WHERE id = ?")
                .params(a.severity(), a.subject(), a.message(), a.state(), a.details() == null ? null : Json.string(a.details()),
                        Timestamp.from(a.updatedAt()), a.occurrences(), Timestamp.from(a.lastSeen()), a.id())
                .update();
    }

    Optional<Alert> find(String id) {
        return jdbc.sql("SELECT * FROM alerts WHERE id = ?").param(id).query(AlertRepository::alert).optional();
    }

    /** Alerts not yet resolved about exactly this subject (null ids match null). */
    List<Alert> unresolved(String type, String gatewayId, String serverId, String featureId) {
        StringBuilder sql = new StringBuilder("SELECT * FROM alerts WHERE type = ? AND state <> 'resolved'");
        List<Object> params = new ArrayList<>(List.of(type));
        sql.append(gatewayId == null ? " AND gateway_id IS NULL" : " AND gateway_id = ?");
        if (gatewayId != null) {
            params.add(gatewayId);
        }
        sql.append(serverId == null ? " AND server_id IS NULL" : " AND server_id = ?");
        if (serverId != null) {
            params.add(serverId);
        }
        sql.append(featureId == null ? " AND feature_id IS NULL" : " AND feature_id = ?");
        if (featureId != null) {
            params.add(featureId);
        }
        return jdbc.sql(sql.append(" ORDER BY time DESC").toString()).params(params).query(AlertRepository::alert).list();
    }

    List<Alert> list(String state, String type, String gatewayId, String featureId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM alerts WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (state != null) {
            sql.append(" AND state = ?");
            params.add(state);
        }
        if (type != null) {
            sql.append(" AND type = ?");
            params.add(type);
        }
        if (gatewayId != null) {
            sql.append(" AND gateway_id = ?");
            params.add(gatewayId);
        }
        if (featureId != null) {
            sql.append(" AND feature_id = ?");
            params.add(featureId);
        }
        sql.append(" ORDER BY time DESC, id LIMIT ").append(limit);
        return jdbc.sql(sql.toString()).params(params).query(AlertRepository::alert).list();
    }

    private static Alert alert(ResultSet rs, int row) throws SQLException {
        String details = rs.getString("details");
        return new Alert(rs.getString("id"), rs.getString("type"), rs.getString("severity"), rs.getString("subject"),
                rs.getString("message"), rs.getString("state"), rs.getString("gateway_id"), rs.getString("server_id"),
                rs.getString("feature_id"), details == null ? null : Json.tree(details), instant(rs, "time"), instant(rs, "updated_at"),
                rs.getInt("occurrences"), instant(rs, "last_seen") == null ? instant(rs, "time") : instant(rs, "last_seen"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
