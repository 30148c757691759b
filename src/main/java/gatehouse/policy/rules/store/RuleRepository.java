package gatehouse.policy.rules.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Rows of {@code content_rules}; the definition stays sealed here, {@link RuleService} opens it. */
@Repository
class RuleRepository {
    private final JdbcClient jdbc;

    RuleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Row(String id, String gatewayId, String name, long position, String definitionSealed, Instant createdAt, Instant updatedAt) {
    }

    private static Row row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Row(rs.getString("id"), rs.getString("gateway_id"), rs.getString("name"), rs.getLong("position"),
                rs.getString("definition_sealed"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }

    List<Row> all() {
        return jdbc.sql("SELECT * FROM content_rules ORDER BY gateway_id, position").query(RuleRepository::row).list();
    }

    /** A cheap fingerprint of the table: ids and update times, to notice other replicas' changes. */
    List<String> stamps() {
        return jdbc.sql("SELECT id, updated_at FROM content_rules ORDER BY id")
                .query((rs, n) -> rs.getString(1) + "@" + rs.getTimestamp(2).toInstant()).list();
    }

    Optional<Row> find(String gatewayId, String id) {
        return jdbc.sql("SELECT * FROM content_rules WHERE gateway_id = ? AND id = ?").params(gatewayId, id).query(RuleRepository::row).optional();
    }

    boolean nameTaken(String gatewayId, String name, String exceptId) {
        return jdbc.sql("SELECT COUNT(*) FROM content_rules WHERE gateway_id = ? AND name = ? AND id <> ?")
                .params(gatewayId, name, exceptId == null ? "" : exceptId).query(Long.class).single() > 0;
    }

    long nextPosition(String gatewayId) {
        Long max = jdbc.sql("SELECT MAX(position) FROM content_rules WHERE gateway_id = ?").param(gatewayId).query(Long.class).optional().orElse(null);
        return max == null ? 1 : max + 1;
    }

    void insert(Row r) {
        jdbc.sql("INSERT INTO content_rules (id, gateway_id, name, position, definition_sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(r.id(), r.gatewayId(), r.name(), r.position(), r.definitionSealed(), Timestamp.from(r.createdAt()), Timestamp.from(r.updatedAt()))
                .update();
    }

    void update(Row r) {
        jdbc.sql("UPDATE content_rules SET name = ?, definition_sealed = ?, updated_at = ? WHERE id = ? AND gateway_id = ?")
                .params(r.name(), r.definitionSealed(), Timestamp.from(r.updatedAt()), r.id(), r.gatewayId()).update();
    }

    boolean delete(String gatewayId, String id) {
        return jdbc.sql("DELETE FROM content_rules WHERE gateway_id = ? AND id = ?").params(gatewayId, id).update() > 0;
    }
}
