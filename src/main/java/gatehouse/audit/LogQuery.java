package gatehouse.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import gatehouse.platform.Json;

/** Reads log records back, newest first, with the admin API's filters. */
@Component
public class LogQuery {
    private final JdbcTemplate jdbc;

    public LogQuery(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public record Filter(String gateway, String connection, String user, String server, String tool, Instant from, Instant to, int limit) {
    }

    public List<Map<String, Object>> find(Filter f) {
        StringBuilder sql = new StringBuilder("SELECT * FROM log_records WHERE 1=1");
        List<Object> args = new ArrayList<>();
        eq(sql, args, "gateway_id", f.gateway());
        eq(sql, args, "connection_id", f.connection());
        eq(sql, args, "user_id", f.user());
        eq(sql, args, "server_id", f.server());
        eq(sql, args, "tool", f.tool());
        if (f.from() != null) {
            sql.append(" AND time >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND time < ?");
            args.add(Timestamp.from(f.to()));
        }
        sql.append(" ORDER BY time DESC, id DESC LIMIT ").append(Math.max(1, Math.min(f.limit(), 10_000)));
        return jdbc.query(sql.toString(), (rs, n) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", rs.getLong("id"));
            m.put("time", rs.getTimestamp("time").toInstant().toString());
            m.put("correlationId", rs.getString("correlation_id"));
            m.put("sessionId", rs.getString("session_id"));
            m.put("connectionId", rs.getString("connection_id"));
            m.put("gatewayId", rs.getString("gateway_id"));
            m.put("serverId", rs.getString("server_id"));
            m.put("userId", rs.getString("user_id"));
            m.put("direction", rs.getString("direction"));
            m.put("kind", rs.getString("kind"));
            m.put("method", rs.getString("method"));
            m.put("tool", rs.getString("tool"));
            m.put("durationMs", rs.getDouble("duration_ms"));
            m.put("inputTokens", rs.getObject("input_tokens"));
            m.put("outputTokens", rs.getObject("output_tokens"));
            m.put("status", rs.getString("status"));
            m.put("errorCode", rs.getObject("error_code"));
            m.put("errorMessage", rs.getString("error_message"));
            String decisions = rs.getString("decisions");
            m.put("decisions", decisions == null ? List.of() : Json.tree(decisions));
            return m;
        }, args.toArray());
    }

    private static void eq(StringBuilder sql, List<Object> args, String column, String value) {
        if (value != null && !value.isEmpty()) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }
}
