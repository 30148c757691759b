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

    /** The {@link Unusable#state()} of {@link #forDiscovery} for a server assigned only with personal identities. */
    String PERSONAL_ONLY = "personal-only";

    /**
     * What Gatehouse's own sessions with the server (feature discovery, probes) present: a shared
     * identity of one of its assignments, never a person's. {@link Unusable} with state
     * {@link #PERSONAL_ONLY} when every assignment of the server is personal and there is no shared
     * one: such a server is not listed in the background at all (a person's session lists it).
     * {@link None}: only the server's own headers.
     */
    default Presented forDiscovery(ServerDef server) {
        return new None();
    }

    /**
     * The upstream refused (HTTP 401) the credential this connection presented for {@code server}
     * ({@code presented}: the header value sent). Answers what to present instead, once: a renewed
     * credential (an OAuth refresh, or one renewed meanwhile by another call) to retry with, or
     * {@link Unusable} (state {@code rejected} or {@code refresh-failed}) saying whose credential
     * failed and where to renew it; {@link None} when the refused credential was the server's own
     * headers.
     */
    default Presented rejected(String connectionId, String gatewayId, ServerDef server, String presented) {
        return new None();
    }

    /** What to present. */
    sealed interface Presented permits None, Bearer, KeyHeader, Unusable {
    }

    /** A static key in the header the server takes it in ({@code X-API-Key: …}, {@code Authorization: Token …}). */
    record KeyHeader(String name, String value) implements Presented {
        public KeyHeader {
            if (name == null || name.isBlank() || value == null || value.isBlank()) {
                throw new IllegalArgumentException("header");
            }
        }

        @Override
        public String toString() {
            return "KeyHeader[" + name + ": redacted]";
        }
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
     * @param state    {@code missing}, {@code refresh-failed}, {@code rejected} or {@code revoked}
     * @param reason   what the person should do, shown to them as the error of the call
     * @param renewUrl the page where the person renews it (a person's own credential), else null
     */
    record Unusable(String state, String reason, String renewUrl) implements Presented {
        public Unusable(String state, String reason) {
            this(state, reason, null);
        }
    }

    /** Nothing to present anywhere: for tests and probes. */
    UpstreamCredentials NONE = (c, g, s) -> new None();

    /** The token to send for {@code p}, or null. */
    static String bearerOf(Presented p) {
        return p instanceof Bearer b ? b.token() : null;
    }

    /** The header to send for {@code p} (name and value), or null when it adds none. */
    static java.util.Map.Entry<String, String> headerOf(Presented p) {
        return switch (p) {
            case Bearer b -> java.util.Map.entry("Authorization", "Bearer " + b.token());
            case KeyHeader k -> java.util.Map.entry(k.name(), k.value());
            case None n -> null;
            case Unusable u -> null;
        };
    }
}
