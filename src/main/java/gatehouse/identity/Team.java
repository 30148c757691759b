package gatehouse.identity;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A group of users; teams hold gateways. {@code tools} holds, for a gateway where the team sees only
 * some tools, those exposed names; a held gateway missing there shows the team every tool.
 * {@code prompts} (exposed names) and {@code resources} (URIs or URI templates) likewise.
 */
public record Team(String id, String name, List<String> memberIds, List<String> gatewayIds, Map<String, List<String>> tools,
                   Map<String, List<String>> prompts, Map<String, List<String>> resources, Instant createdAt) {
}
