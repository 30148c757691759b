package gatehouse.authserver;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Access tokens (by {@code jti}) revoked before they expire. Access tokens are self-contained JWTs the
 * data plane checks without a database read, so revocation needs this list: kept in memory, written
 * through to the database, and re-read on a schedule so other replicas learn of it within seconds.
 */
@Component
public class Revocations implements gatehouse.platform.Reloadable {
    private final JdbcClient jdbc;
    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

    Revocations(JdbcClient jdbc) {
        this.jdbc = jdbc;
        reload();
    }

    public boolean isRevoked(String jti) {
        return jti != null && revoked.containsKey(jti);
    }

    public void revoke(String jti, Instant expiresAt) {
        if (jti == null || revoked.containsKey(jti)) {
            return;
        }
        Instant exp = expiresAt == null ? Instant.now().plusSeconds(86_400) : expiresAt;
        revoked.put(jti, exp);
        try {
            jdbc.sql("INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES (?, ?, ?)")
                    .params(jti, Timestamp.from(exp), Timestamp.from(Instant.now())).update();
        } catch (DuplicateKeyException e) {
            // already known
        }
    }

    @Scheduled(fixedDelayString = "${gatehouse.catalog-refresh:5s}")
    @Override
    public void reload() {
        Instant now = Instant.now();
        jdbc.sql("SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > ?").param(Timestamp.from(now))
                .query((rs, n) -> Map.entry(rs.getString(1), rs.getTimestamp(2).toInstant()))
                .list().forEach(e -> revoked.put(e.getKey(), e.getValue()));
        revoked.values().removeIf(exp -> exp.isBefore(now));
    }

    @Scheduled(fixedDelay = 3_600_000, initialDelay = 60_000)
    public void purge() {
        jdbc.sql("DELETE FROM revoked_tokens WHERE expires_at < ?").param(Timestamp.from(Instant.now())).update();
    }
}
