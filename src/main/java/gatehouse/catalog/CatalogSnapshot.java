package gatehouse.catalog;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An immutable view of the whole configuration. The data plane reads only this, so a message
 * never waits for the database; a new snapshot replaces the old one atomically.
 */
public record CatalogSnapshot(Map<String, ServerDef> servers, Map<String, GatewayDef> gateways,
                              Map<String, List<Assignment>> assignmentsByGateway,
                              Map<String, Connection> connectionsById,
                              Map<String, Connection> connectionsByTokenHash, long version) {

    public static CatalogSnapshot of(List<ServerDef> servers, List<GatewayDef> gateways, List<Assignment> assignments,
                                     List<Connection> connections, long version) {
        return new CatalogSnapshot(
                servers.stream().collect(Collectors.toUnmodifiableMap(ServerDef::id, Function.identity())),
                gateways.stream().collect(Collectors.toUnmodifiableMap(GatewayDef::id, Function.identity())),
                assignments.stream()
                        .sorted(Comparator.comparing(Assignment::createdAt).thenComparing(Assignment::serverId))
                        .collect(Collectors.groupingBy(Assignment::gatewayId, Collectors.toUnmodifiableList())),
                connections.stream().collect(Collectors.toUnmodifiableMap(Connection::id, Function.identity())),
                connections.stream().filter(c -> c.tokenHash() != null)
                        .collect(Collectors.toUnmodifiableMap(Connection::tokenHash, Function.identity())),
                version);
    }

    public List<Assignment> assignments(String gatewayId) {
        return assignmentsByGateway.getOrDefault(gatewayId, List.of());
    }
}
