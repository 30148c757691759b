package gatehouse.gateway.upstream;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A server's configured headers plus the {@code Authorization} of the credential current at the
 * moment each request is built: upstream sessions keep this view, so a refreshed token is used on
 * the next request without reopening the session. An identity's bearer replaces a configured
 * {@code Authorization} header.
 */
final class AuthorizedHeaders extends AbstractMap<String, String> {
    private final Map<String, String> configured;
    private final Supplier<String> bearer;

    AuthorizedHeaders(Map<String, String> configured, Supplier<String> bearer) {
        this.configured = configured;
        this.bearer = bearer;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        String token = bearer.get();
        if (token == null) {
            return configured.entrySet();
        }
        Map<String, String> m = new LinkedHashMap<>();
        configured.forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Authorization")) {
                m.put(k, v);
            }
        });
        m.put("Authorization", "Bearer " + token);
        return m.entrySet();
    }

    @Override
    public String toString() {
        return "AuthorizedHeaders" + configured.keySet();
    }
}
