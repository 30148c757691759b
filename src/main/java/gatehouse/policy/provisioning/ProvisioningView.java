package gatehouse.policy.provisioning;

import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable picture of every gateway's provisioning: settings and feature states, by gateway and
 * server. The data plane reads only this (no database read per message); a new view replaces the
 * old one whenever the inventory changes.
 */
public record ProvisioningView(long version, ProvisioningSettings defaults, Map<String, GatewayFeatures> gateways) {

    public ProvisioningView {
        gateways = Map.copyOf(gateways);
    }

    public static ProvisioningView empty(ProvisioningSettings defaults) {
        return new ProvisioningView(0, defaults, Map.of());
    }

    public GatewayFeatures gateway(String gatewayId) {
        GatewayFeatures g = gateways.get(gatewayId);
        return g != null ? g : new GatewayFeatures(defaults, Map.of());
    }

    /** One gateway: its settings and, per assigned server, what was discovered there. */
    public record GatewayFeatures(ProvisioningSettings settings, Map<String, ServerFeatures> servers) {
        public GatewayFeatures {
            servers = Map.copyOf(servers);
        }

        public ServerFeatures server(String serverId) {
            ServerFeatures s = servers.get(serverId);
            return s != null ? s : ServerFeatures.NONE;
        }
    }

    /** The features of one server in one gateway, and which kinds have been listed at least once. */
    public record ServerFeatures(Set<FeatureKind> discovered, Map<FeatureKind, Map<String, FeatureState>> byKind) {
        public static final ServerFeatures NONE = new ServerFeatures(Set.of(), Map.of());

        public ServerFeatures {
            discovered = discovered.isEmpty() ? Set.of() : Set.copyOf(discovered);
            EnumMap<FeatureKind, Map<String, FeatureState>> copy = new EnumMap<>(FeatureKind.class);
            byKind.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
            byKind = copy;
        }

        public boolean discovered(FeatureKind kind) {
            return discovered.contains(kind);
        }

        public FeatureState get(FeatureKind kind, String name) {
            Map<String, FeatureState> m = byKind.get(kind);
            return m == null ? null : m.get(name);
        }

        public Collection<FeatureState> all(FeatureKind kind) {
            Map<String, FeatureState> m = byKind.get(kind);
            return m == null ? List.of() : m.values();
        }
    }
}
