package gatehouse.catalog;

import java.time.Instant;

/** One MCP URL that bundles assigned servers. */
public record GatewayDef(String id, String name, Instant createdAt) {
}
