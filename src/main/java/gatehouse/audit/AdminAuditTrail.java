package gatehouse.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The trail of administrative changes: who changed what, and the state before and after. Written
 * synchronously (administrative changes are rare and must not be lost), read back newest first.
 * Secrets never land here: every text value under a key that names a token, password or secret is
 * replaced before the row is written.
 */
@Service
public class AdminAuditTrail {
    static final String REDACTED = "<redacted>";
    private static final int MAX_JSON = 100_000;

    private final JdbcTemplate jdbc;

    public AdminAuditTrail(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One change. {@code before}/{@code after} are any JSON-serializable values (or null). */
    public record Entry(String actor, String actorKind, String action, String target, int status, Object before, Object after) {
    }

    public void record(Entry e) {
        jdbc.update("INSERT INTO admin_audit (time, actor, actor_kind, action, target, status, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                Timestamp.from(Instant.now()), cut(e.actor(), 200), cut(e.actorKind(), 32), cut(e.action(), 300), cut(e.target(), 500),
                e.status(), json(e.before()), json(e.after()));
    }

    public record Filter(String actor, String action, String target, Instant from, Instant to, int limit) {
    }

    public List<Map<String, Object>> find(Filter f) {
        StringBuilder sql = new StringBuilder("SELECT * FROM admin_audit WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (f.actor() != null && !f.actor().isEmpty()) {
            sql.append(" AND actor LIKE ?");
            args.add("%" + f.actor() + "%");
        }
        if (f.action() != null && !f.action().isEmpty()) {
            sql.append(" AND action LIKE ?");
            args.add("%" + f.action() + "%");
        }
        if (f.target() != null && !f.target().isEmpty()) {
            sql.append(" AND target LIKE ?");
            args.add("%" + f.target() + "%");
        }
        if (f.from() != null) {
            sql.append(" AND time >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND time < ?");
            args.add(Timestamp.from(f.to()));
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(Math.max(1, Math.min(f.limit(), 10_000)));
        return jdbc.query(sql.toString(), (rs, n) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", rs.getLong("id"));
            row.put("time", rs.getTimestamp("time").toInstant().toString());
            row.put("actor", rs.getString("actor"));
            row.put("actorKind", rs.getString("actor_kind"));
            row.put("action", rs.getString("action"));
            row.put("target", rs.getString("target"));
            row.put("status", rs.getInt("status"));
            row.put("before", tree(rs.getString("before_json")));
            row.put("after", tree(rs.getString("after_json")));
            return row;
        }, args.toArray());
    }

    private static JsonNode tree(String json) {
        return json == null ? null : Json.tree(json);
    }

    private static String json(Object value) {
        if (value == null) {
            return null;
        }
        JsonNode node = value instanceof JsonNode n ? n.deepCopy() : Json.MAPPER.valueToTree(value);
        String s = Json.string(redact(node));
        return s.length() > MAX_JSON ? Json.string(Map.of("truncated", true, "length", s.length())) : s;
    }

    /** Replaces every text or number under a secret-sounding key, at any depth. */
    static JsonNode redact(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (String key : List.copyOf(o.propertyNames())) {
                JsonNode child = o.get(key);
                if (isSecretKey(key) && (child.isString() || child.isNumber())) {
                    o.put(key, REDACTED);
                } else if (isSecretKey(key) && child.isObject()) {
                    ObjectNode masked = o.putObject(key);
                    child.propertyNames().forEach(k -> masked.put(k, REDACTED));
                } else {
                    redact(child);
                }
            }
        } else if (node instanceof ArrayNode a) {
            a.forEach(AdminAuditTrail::redact);
        }
        return node;
    }

    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("token") || k.contains("password") || k.contains("secret") || k.equals("headers") || k.equals("env")
                || k.equals("identities");
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
