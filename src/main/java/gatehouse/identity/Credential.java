package gatehouse.identity;

import java.time.Instant;

/**
 * A credential for one upstream server (an "identity" in DESIGN.md): a person's own for a
 * {@code personal} assignment. The secret itself never leaves {@link IdentityVault} except to the
 * upstream call.
 *
 * @param state {@code ok}, {@code refresh-failed} or {@code revoked}
 */
public record Credential(String id, String serverId, String userId, String kind, String state, String error,
                         Instant expiresAt, Instant createdAt, Instant updatedAt) {
}
