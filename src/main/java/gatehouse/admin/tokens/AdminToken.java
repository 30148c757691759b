package gatehouse.admin.tokens;

import java.time.Instant;

/**
 * One admin token as stored, without its secret. {@code userId} is set for a token that acts as
 * a user (limited by that user's roles); {@code bootstrap} marks the tokens that start-up manages
 * ({@code GATEHOUSE_ADMIN_TOKEN} or the generated first token).
 */
public record AdminToken(String id, String name, String userId, boolean bootstrap, Instant createdAt, Instant lastUsedAt,
                         Instant revokedAt) {
    public AdminToken {
        if (id == null || id.isBlank() || name == null || name.isBlank() || createdAt == null) {
            throw new IllegalArgumentException("an admin token needs an id, a name and a creation time");
        }
    }

    public boolean active() {
        return revokedAt == null;
    }

    AdminToken usedAt(Instant when) {
        return lastUsedAt != null && !when.isAfter(lastUsedAt) ? this
                : new AdminToken(id, name, userId, bootstrap, createdAt, when, revokedAt);
    }
}
