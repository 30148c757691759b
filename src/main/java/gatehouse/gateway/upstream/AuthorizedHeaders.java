package gatehouse.gateway.upstream;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A server's configured headers plus the credential's header current at the moment each request is
 * built ({@code Authorization: Bearer …}, or the server's configured key header): upstream sessions
 * keep this view, so a refreshed token is used on the next request without reopening the session.
 * An identity's header replaces a configured header of the same name.
 */
final class AuthorizedHeaders extends AbstractMap<String, String> {
    private final Map<String, String> configured;
    private final Supplier<Map.Entry<String, String>> credential;

    AuthorizedHeaders(Map<String, String> configured, Supplier<Map.Entry<String, String>> credential) {
        this.configured = configured;
        this.credential = credential;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        Map.Entry<String, String> header = credential.get();
        if (header == null) {
            return configured.entrySet();
        }
        Map<String, String> m = new LinkedHashMap<>();
        configured.forEach((k, v) -> {
            if (!k.equalsIgnoreCase(header.getKey())) {
                m.put(k, v);
            }
        });
        m.put(header.getKey(), header.getValue());
        return m.entrySet();
    }

    @Override
    public String toString() {
        return "AuthorizedHeaders" + configured.keySet();
    }
}
