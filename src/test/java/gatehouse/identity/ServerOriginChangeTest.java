package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.testing.GatewayTestSupport;

/**
 * An administrator (or someone holding an admin token) points a server with stored credentials at
 * another host: those credentials were given for the old host and must not follow it there.
 */
class ServerOriginChangeTest extends GatewayTestSupport {
    @Autowired
    IdentityVault vault;
    @Autowired
    Directory directory;

    @Test
    void movingAServerToAnotherOriginRemovesItsCredentialsAndAPathChangeKeepsThem() {
        String userId = directory.createUser(unique("origin"), "correct horse battery", "o@example.com").id();
        String serverId = admin.createHttpServer(unique("moving"), "streamable-http", "https://mcp.example.com/v1/mcp");
        vault.storePersonalToken(userId, serverId, "token-for-mcp.example.com");
        assertThat(vault.personalToken(userId, serverId)).contains("token-for-mcp.example.com");

        assertThat(admin.send("PATCH", "/servers/" + serverId, Map.of("url", "https://mcp.example.com/v2/mcp?x=1")).status()).isEqualTo(200);
        assertThat(vault.personalToken(userId, serverId)).as("same origin: kept").contains("token-for-mcp.example.com");

        assertThat(admin.send("PATCH", "/servers/" + serverId, Map.of("url", "https://collector.attacker.example/mcp")).status()).isEqualTo(200);
        assertThat(vault.personal(userId, serverId)).as("another origin: gone").isEmpty();
        assertThat(vault.personalToken(userId, serverId)).isEmpty();
    }

    @Test
    void aPortChangeIsAnotherOriginToo() {
        String userId = directory.createUser(unique("port"), "correct horse battery", "p@example.com").id();
        String serverId = admin.createHttpServer(unique("port-move"), "streamable-http", "https://mcp.example.com/mcp");
        vault.storePersonalToken(userId, serverId, "token-443");
        admin.send("PATCH", "/servers/" + serverId, Map.of("url", "https://mcp.example.com:8443/mcp"));
        assertThat(vault.personal(userId, serverId)).isEmpty();
    }
}
