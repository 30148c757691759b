package gatehouse.identity;

import java.time.Instant;

/** A person. {@code source} is {@code local} today; SSO and SCIM add their own. */
public record User(String id, String username, String email, boolean enabled, boolean hasPassword, int failedLogins,
                   Instant lockedUntil, String source, Instant createdAt) {

    public boolean lockedAt(Instant now) {
        return lockedUntil != null && lockedUntil.isAfter(now);
    }
}
