package gatehouse.scim;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import gatehouse.platform.TokenHashes;

/** Bearer tokens for the SCIM endpoints: their own kind and store, kept as SHA-256 hashes only. */
@Service
public class ScimTokens {
    private final JdbcClient jdbc;

    ScimTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record ScimToken(String id, String name, Instant createdAt, Instant lastUsedAt) {
    }

    public record Created(ScimToken token, String secret) {
    }

    public Created create(String name) {
        if (name == null || name.isBlank() || name.length() > 128) {
            throw ProblemException.invalid("name", "name is required (at most 128 characters), e.g. \"okta\" or \"entra\"");
        }
        String secret = Ids.secret("ghs");
        String id = Ids.id("scim");
        jdbc.sql("INSERT INTO scim_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)")
                .params(id, name.trim(), TokenHashes.sha256(secret), Timestamp.from(Instant.now())).update();
        return new Created(get(id), secret);
    }

    public List<ScimToken> list() {
        return jdbc.sql("SELECT * FROM scim_tokens ORDER BY created_at, id").query((rs, n) -> token(rs)).list();
    }

    public ScimToken get(String id) {
        return jdbc.sql("SELECT * FROM scim_tokens WHERE id = ?").param(id).query((rs, n) -> token(rs)).optional()
                .orElseThrow(() -> ProblemException.notFound("SCIM token", id));
    }

    public void revoke(String id) {
        if (jdbc.sql("DELETE FROM scim_tokens WHERE id = ?").param(id).update() == 0) {
            throw ProblemException.notFound("SCIM token", id);
        }
    }

    /** The token's name when the presented secret is a SCIM token. */
    Optional<String> authenticate(String presented) {
        String hash = TokenHashes.sha256(presented);
        Optional<String> name = jdbc.sql("SELECT name FROM scim_tokens WHERE token_hash = ?").param(hash).query(String.class).optional();
        name.ifPresent(n -> jdbc.sql("UPDATE scim_tokens SET last_used_at = ? WHERE token_hash = ?").params(Timestamp.from(Instant.now()), hash).update());
        return name;
    }

    private static ScimToken token(java.sql.ResultSet rs) throws java.sql.SQLException {
        Timestamp used = rs.getTimestamp("last_used_at");
        return new ScimToken(rs.getString("id"), rs.getString("name"), rs.getTimestamp("created_at").toInstant(),
                used == null ? null : used.toInstant());
    }
}
