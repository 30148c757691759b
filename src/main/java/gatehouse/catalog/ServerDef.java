package gatehouse.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An upstream MCP server. Headers and environment hold secrets: they are encrypted at rest. */
public record ServerDef(String id, String name, Transport transport, List<String> command,
                        Map<String, String> env, String url, Map<String, String> headers,
                        Instant createdAt, Instant updatedAt) {
    public ServerDef {
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** Whether two server URLs share scheme, host and port (both absent counts as the same). */
    public static boolean sameOrigin(String a, String b) {
        if (a == null || b == null) {
            return a == null && b == null;
        }
        try {
            java.net.URI x = java.net.URI.create(a);
            java.net.URI y = java.net.URI.create(b);
            return x.getScheme() != null && x.getScheme().equalsIgnoreCase(y.getScheme()) && x.getHost() != null
                    && x.getHost().equalsIgnoreCase(y.getHost()) && port(x) == port(y);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(java.net.URI u) {
        return u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
