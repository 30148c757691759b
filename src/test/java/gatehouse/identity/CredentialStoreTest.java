package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import gatehouse.platform.ProblemException;
import gatehouse.testing.GatewayTestSupport;

/**
 * The credential table on its own: secrets are sealed to their row (the database never holds the
 * token), a new credential replaces the owner's old one for the server, and every change moves the
 * generation on, so the vault's remembered answers are dropped.
 */
class CredentialStoreTest extends GatewayTestSupport {
    @Autowired
    CredentialStore store;
    @Autowired
    IdentityVault vault;
    @Autowired
    JdbcClient jdbc;

    @Test
    void aStoredTokenIsSealedReplacesTheOldOneAndMovesTheGenerationOn() {
        String serverId = admin.createHttpServer(unique("store"), "streamable-http", "http://127.0.0.1:9/mcp");
        String gw = admin.createGateway(unique("store"));
        admin.send("PUT", "/gateways/" + gw + "/servers/" + serverId, Map.of("identity", "personal", "prefix", "s"));
        String host = admin.send("POST", "/hosts", Map.of("name", unique("h"))).body().path("id").asString();
        String connectionId = admin.send("POST", "/hosts/" + host + "/connections", Map.of("gatewayId", gw)).body().path("id").asString();

        long before = store.generation();
        Credential first = store.storeConnectionToken(connectionId, serverId, "tok-first-secret");
        assertThat(store.generation()).isGreaterThan(before);
        String sealed = jdbc.sql("SELECT secret_sealed FROM identities WHERE id = ?").param(first.id()).query(String.class).single();
        assertThat(sealed).doesNotContain("tok-first-secret");
        assertThat(store.token(first)).isEqualTo("tok-first-secret");

        Credential second = store.storeConnectionToken(connectionId, serverId, "  tok-second  ");
        assertThat(store.byId(first.id())).as("replaced").isEmpty();
        assertThat(store.token(second)).isEqualTo("tok-second");
        assertThat(vault.states(catalog.connection(connectionId))).singleElement()
                .satisfies(s -> assertThat(s.state()).isEqualTo("ok"));

        long beforeMark = store.generation();
        assertThat(store.mark(second, "revoked", "test").state()).isEqualTo("revoked");
        assertThat(store.generation()).isGreaterThan(beforeMark);
        assertThat(jdbc.sql("SELECT secret_sealed FROM identities WHERE id = ?").param(second.id()).query(String.class).single())
                .as("a revoked credential loses its secret").isEmpty();

        assertThatThrownBy(() -> store.storeConnectionToken(connectionId, serverId, " ")).isInstanceOf(ProblemException.class);
    }
}
