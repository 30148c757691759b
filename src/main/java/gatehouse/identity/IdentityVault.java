package gatehouse.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;

/**
 * Per-user credentials for {@code personal} servers, sealed with the master key (AES-GCM). Today a
 * credential is a static token a person pastes in the connection wizard; upstream OAuth tokens (with
 * refresh) are the next kind.
 */
@Service
public class IdentityVault {
    public static final String STATIC_TOKEN = "static-token";
    private final JdbcClient jdbc;
    private final SecretBox secrets;
    private final CatalogService catalog;

    IdentityVault(JdbcClient jdbc, SecretBox secrets, CatalogService catalog) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.catalog = catalog;
    }

    public List<Credential> ofUser(String userId) {
        return jdbc.sql("SELECT * FROM identities WHERE user_id = ? ORDER BY created_at, id").param(userId).query(this::row).list();
    }

    public Optional<Credential> personal(String userId, String serverId) {
        return jdbc.sql("SELECT * FROM identities WHERE user_id = ? AND server_id = ? ORDER BY updated_at DESC")
                .params(userId, serverId).query(this::row).stream().findFirst();
    }

    /** The sealed token of a usable personal credential, opened; empty when there is none or it failed. */
    public Optional<String> personalToken(String userId, String serverId) {
        return jdbc.sql("SELECT secret_sealed FROM identities WHERE user_id = ? AND server_id = ? AND state = 'ok' ORDER BY updated_at DESC")
                .params(userId, serverId).query(String.class).stream().findFirst().map(secrets::decrypt);
    }

    @Transactional
    public Credential storePersonalToken(String userId, String serverId, String token) {
        if (token == null || token.isBlank() || token.length() > 8192) {
            throw ProblemException.invalid("token", "a token is required (at most 8192 characters)");
        }
        catalog.server(serverId);
        Instant now = Instant.now();
        jdbc.sql("DELETE FROM identities WHERE user_id = ? AND server_id = ?").params(userId, serverId).update();
        String id = Ids.id("idn");
        jdbc.sql("INSERT INTO identities (id, server_id, user_id, gateway_id, kind, secret_sealed, state, error, expires_at, created_at, updated_at) "
                        + "VALUES (?, ?, ?, NULL, ?, ?, 'ok', NULL, NULL, ?, ?)")
                .params(id, serverId, userId, STATIC_TOKEN, secrets.encrypt(token.trim()), Timestamp.from(now), Timestamp.from(now)).update();
        return personal(userId, serverId).orElseThrow();
    }

    @Transactional
    public void delete(String userId, String credentialId) {
        if (jdbc.sql("DELETE FROM identities WHERE id = ? AND user_id = ?").params(credentialId, userId).update() == 0) {
            throw ProblemException.notFound("identity", credentialId);
        }
    }

    /** The personal servers of a gateway this user has no usable credential for yet, in gateway order. */
    public List<ServerDef> missingPersonal(String userId, String gatewayId) {
        var snapshot = catalog.snapshot();
        return snapshot.assignments(gatewayId).stream()
                .filter(a -> a.identity() == IdentityScheme.PERSONAL)
                .map(Assignment::serverId)
                .filter(sid -> personal(userId, sid).filter(c -> "ok".equals(c.state())).isEmpty())
                .map(sid -> snapshot.servers().get(sid))
                .filter(s -> s != null)
                .toList();
    }

    private Credential row(ResultSet rs, int n) throws SQLException {
        return new Credential(rs.getString("id"), rs.getString("server_id"), rs.getString("user_id"), rs.getString("kind"),
                rs.getString("state"), rs.getString("error"), instant(rs, "expires_at"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String c) throws SQLException {
        Timestamp t = rs.getTimestamp(c);
        return t == null ? null : t.toInstant();
    }
}
