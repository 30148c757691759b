package gatehouse.config;

import java.util.List;
import java.util.Map;

/**
 * The declarative configuration file ({@code --config FILE.yaml}): servers and gateways by name.
 * Applying it twice changes nothing the second time.
 */
public record DeclarativeConfig(List<Server> servers, List<Gateway> gateways) {
    public DeclarativeConfig {
        servers = servers == null ? List.of() : servers;
        gateways = gateways == null ? List.of() : gateways;
    }

    public record Server(String name, String transport, List<String> command, Map<String, String> env, String url,
                         Map<String, String> headers) {
    }

    public record Gateway(String name, List<GatewayServer> servers) {
        public Gateway {
            servers = servers == null ? List.of() : servers;
        }
    }

    public record GatewayServer(String server, String identity, String prefix) {
    }
}
