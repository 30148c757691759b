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
}
