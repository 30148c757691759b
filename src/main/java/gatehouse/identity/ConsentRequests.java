package gatehouse.identity;

import org.springframework.stereotype.Service;

import gatehouse.catalog.ServerDef;

/**
 * When a call should ask its person for a credential instead of failing: the connection is a
 * person's, the server needs their own credential, and theirs is missing, expired past refresh,
 * refused by the upstream or revoked — every case where the person can fix it on the page for
 * that server. Shared credentials and API-token connections are an administrator's to fix.
 */
@Service
public class ConsentRequests {
    private final UpstreamCredentials credentials;

    public ConsentRequests(UpstreamCredentials credentials) {
        this.credentials = credentials;
    }

    /** What the person must fix (with the page where), or null when the call can go on as it is. */
    public UpstreamCredentials.Unusable needed(String connectionId, String gatewayId, ServerDef server) {
        return needed(credentials.present(connectionId, gatewayId, server));
    }

    /** The decision alone: only an unusable credential the person renews themselves. */
    static UpstreamCredentials.Unusable needed(UpstreamCredentials.Presented presented) {
        return switch (presented) {
            case UpstreamCredentials.Unusable u when u.renewUrl() != null -> u;
            case UpstreamCredentials.Unusable u -> null;
            case UpstreamCredentials.Bearer b -> null;
            case UpstreamCredentials.KeyHeader k -> null;
            case UpstreamCredentials.None n -> null;
        };
    }
}
