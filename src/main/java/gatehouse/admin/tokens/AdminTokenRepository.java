package gatehouse.admin.tokens;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** JDBC access to {@code admin_tokens}. Only hashes are stored; see {@link AdminTokens}. */
@Repository
class AdminTokenRepository {
    /** How a stored hash was made: keyed (HMAC) or, for tokens stored by older versions, plain SHA-256. */
    static final String KEYED = "hmac";
    static final String LEGACY = "sha256";

    private final JdbcClient jdbc;

    AdminTokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Stored(AdminToken token, String hashKind) {
    }

    Optional<Stored> byHash(String hash) {
        return jdbc.sql("SELECT * FROM admin_tokens WHERE token_hash = ?").param(hash).query(this::stored).optional();
    }

    Optional<AdminToken> byId(String id) {
        return jdbc.sql("SELECT * FROM admin_tokens WHERE id = ?").param(id).query(this::stored).optional().map(Stored::token);
    }

    List<AdminToken> all() {
        return jdbc.sql("SELECT * FROM admin_tokens ORDER BY created_at, id").query(this::stored).list().stream().map(Stored::token).toList();
    }

    long activeCount() {
        return jdbc.sql("SELECT COUNT(*) FROM admin_tokens WHERE revoked_at IS NULL").query(Long.class).single();
    }

    long activeOperatorCount() {
        return jdbc.sql("SELECT COUNT(*) FROM admin_tokens WHERE revoked_at IS NULL AND user_id IS NULL").query(Long.class).single();
    }

    void insert(AdminToken t, String hash) {
        jdbc.sql("INSERT INTO admin_tokens (id, name, token_hash, hash_kind, bootstrap, user_id, created_at, last_used_at, revoked_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(t.id(), t.name(), hash, KEYED, t.bootstrap(), t.userId(), ts(t.createdAt()), ts(t.lastUsedAt()), ts(t.revokedAt()))
                .update();
    }

    /** Re-hashes a token stored by an older version with the keyed hash, on its first use. */
    void upgradeHash(String id, String keyedHash) {
        jdbc.sql("UPDATE admin_tokens SET token_hash = ?, hash_kind = ? WHERE id = ?").params(keyedHash, KEYED, id).update();
    }

    boolean revoke(String id, Instant when) {
        return jdbc.sql("UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").params(ts(when), id).update() > 0;
    }

    /** Makes a token usable again (start-up's bootstrap token, when it was revoked through the API before). */
    void reinstate(String id, String name, boolean bootstrap) {
        jdbc.sql("UPDATE admin_tokens SET revoked_at = NULL, bootstrap = ?, name = ? WHERE id = ?").params(bootstrap, name, id).update();
    }

    /** Revokes every bootstrap token except {@code keepId}; answers how many. */
    int revokeBootstrapExcept(String keepId, Instant when) {
        return jdbc.sql("UPDATE admin_tokens SET revoked_at = ? WHERE bootstrap = TRUE AND revoked_at IS NULL AND id <> ?")
                .params(ts(when), keepId).update();
    }

    /** Moves last_used_at forward only (several replicas may flush in any order). */
    void touch(String id, Instant when) {
        jdbc.sql("UPDATE admin_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
                .params(ts(when), id, ts(when)).update();
    }

    private Stored stored(ResultSet rs, int row) throws SQLException {
        return new Stored(new AdminToken(rs.getString("id"), rs.getString("name"), rs.getString("user_id"), rs.getBoolean("bootstrap"),
                instant(rs, "created_at"), instant(rs, "last_used_at"), instant(rs, "revoked_at")), rs.getString("hash_kind"));
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
