package gatehouse.gateway.upstream;

import java.util.Map;

/**
 * The credential an upstream session presents, asked at every HTTP request (so a refreshed token
 * is used at once), and what happens when the upstream refuses it with a 401: a renewed credential
 * to retry with once, or the refusal the caller is answered with.
 */
public interface CredentialSource {

    /** The header carrying the credential now ({@code Authorization: Bearer …}, {@code X-API-Key: …}); null for none. */
    Map.Entry<String, String> header();

    /**
     * The upstream refused {@code presented} (the header value sent). Answers null when a renewed
     * credential is ready (the request is retried once), else the error to answer the call with.
     */
    RuntimeException rejected(String presented);

    /** Only the server's own headers; a 401 is reported as it is. */
    static CredentialSource none(String serverName) {
        return new CredentialSource() {
            @Override
            public Map.Entry<String, String> header() {
                return null;
            }

            @Override
            public RuntimeException rejected(String presented) {
                return new UpstreamUnauthorizedException(serverName);
            }
        };
    }
}
