package gatehouse.identity;

/**
 * A credential for {@code serverId} was stored (a person's, a connection's or a shared one), after
 * its transaction committed. Feature discovery listens: a server it could not list for want of a
 * credential is listed at once. An event, so the vault depends on nothing that opens sessions.
 */
public record CredentialAdded(String serverId) {
    public CredentialAdded {
        if (serverId == null || serverId.isBlank()) {
            throw new IllegalArgumentException("serverId");
        }
    }
}
