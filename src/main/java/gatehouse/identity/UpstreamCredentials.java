package gatehouse.identity;

import gatehouse.catalog.ServerDef;

/**
 * Which credential a connection presents to an upstream server: the assignment's shared identity,
 * the connection's user's (or API-token connection's) own for a {@code personal} assignment, or
 * nothing beyond the server's configured headers. Asked on every upstream HTTP request, so a
 * refreshed or revoked credential takes effect at once; implementations answer from memory.
 */
public interface UpstreamCredentials {

    Presented present(String connectionId, String gatewayId, ServerDef server);

    /**
     * What Gatehouse's own sessions with the server (feature discovery, probes) present: a shared
     * identity of one of its assignments, else, for a personal server, the credential of someone who
     * connected. None until there is one.
     */
    default Presented forDiscovery(ServerDef server) {
        return new None();
    }

    /** What to present. */
    sealed interface Presented permits None, Bearer, Unusable {
    }

    /** Only the server's own headers (an open server, or a shared assignment without an identity). */
    record None() implements Presented {
    }

    /** {@code Authorization: Bearer token}. */
    record Bearer(String token) implements Presented {
        public Bearer {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("token");
            }
        }

        @Override
        public String toString() {
            return "Bearer[redacted]";
        }
    }

    /**
     * A personal server this connection has no usable credential for.
     *
     * @param state  {@code missing}, {@code refresh-failed} or {@code revoked}
     * @param reason what the person should do, shown to them as the error of the call
     */
    record Unusable(String state, String reason) implements Presented {
    }

    /** Nothing to present anywhere: for tests and probes. */
    UpstreamCredentials NONE = (c, g, s) -> new None();

    /** The token to send for {@code p}, or null. */
    static String bearerOf(Presented p) {
        return p instanceof Bearer b ? b.token() : null;
    }
}
