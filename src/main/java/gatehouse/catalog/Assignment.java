package gatehouse.catalog;

import java.time.Instant;

/** A server assigned to a gateway, with the prefix its feature names get there. */
public record Assignment(String gatewayId, String serverId, IdentityScheme identity, String prefix, Instant createdAt) {
    /** The separator between prefix and upstream name in exposed names. */
    public static final String SEPARATOR = "__";

    public String expose(String upstreamName) {
        return prefix.isEmpty() ? upstreamName : prefix + SEPARATOR + upstreamName;
    }
}
