package gatehouse.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import gatehouse.platform.Json;
import gatehouse.platform.SecretBox;
import tools.jackson.core.type.TypeReference;

/** JDBC access to the catalogue tables. Secrets are sealed on the way in and opened on the way out. */
@Repository
class CatalogRepository {
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() { };
    private static final TypeReference<LinkedHashMap<String, String>> STRING_MAP = new TypeReference<>() { };

    private final JdbcClient jdbc;
    private final SecretBox secrets;

    CatalogRepository(JdbcClient jdbc, SecretBox secrets) {
        this.jdbc = jdbc;
        this.secrets = secrets;
    }

    // --- servers

    List<ServerDef> servers() {
        return jdbc.sql("SELECT * FROM servers ORDER BY created_at, id").query(this::server).list();
    }

    void insertServer(ServerDef s) {
        jdbc.sql("INSERT INTO servers (id, name, transport, command, env_sealed, url, headers_sealed, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(s.id(), s.name(), s.transport().wire(), Json.string(s.command()), sealMap(s.env(), s.id(), "env_sealed"), s.url(),
                        sealMap(s.headers(), s.id(), "headers_sealed"), ts(s.createdAt()), ts(s.updatedAt()))
                .update();
    }

    void updateServer(ServerDef s) {
        jdbc.sql("UPDATE servers SET name = ?, transport = ?, command = ?, env_sealed = ?, url = ?, headers_sealed = ?, updated_at = ? WHERE id = ?")
                .params(s.name(), s.transport().wire(), Json.string(s.command()), sealMap(s.env(), s.id(), "env_sealed"), s.url(),
                        sealMap(s.headers(), s.id(), "headers_sealed"), ts(s.updatedAt()), s.id())
                .update();
    }

    boolean deleteServer(String id) {
        return jdbc.sql("DELETE FROM servers WHERE id = ?").param(id).update() > 0;
    }

    private ServerDef server(ResultSet rs, int row) throws SQLException {
        return new ServerDef(rs.getString("id"), rs.getString("name"), Transport.fromWire(rs.getString("transport")),
                Json.MAPPER.readValue(rs.getString("command"), STRING_LIST), openMap(rs.getString("env_sealed"), rs.getString("id"), "env_sealed"),
                rs.getString("url"), openMap(rs.getString("headers_sealed"), rs.getString("id"), "headers_sealed"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    /** Removes every stored credential (personal, per connection, shared) for a server. */
    int deleteCredentialsOfServer(String serverId) {
        // A pre-registered OAuth client's secret belongs to the old origin's authorization server too.
        jdbc.sql("UPDATE server_credentials SET oauth_client_id = NULL, oauth_client_secret = NULL, oauth_scopes = NULL, "
                + "oauth_authorization_url = NULL, oauth_token_url = NULL WHERE server_id = ?").param(serverId).update();
        return jdbc.sql("DELETE FROM identities WHERE server_id = ?").param(serverId).update();
    }

    private String sealMap(Map<String, String> map, String serverId, String column) {
        return map.isEmpty() ? null : secrets.encrypt(Json.string(map), SecretBox.context("servers", column, serverId));
    }

    private Map<String, String> openMap(String sealed, String serverId, String column) {
        return sealed == null ? Map.of() : Json.MAPPER.readValue(secrets.decrypt(sealed, SecretBox.context("servers", column, serverId)), STRING_MAP);
    }

    // --- gateways

    List<GatewayDef> gateways() {
        return jdbc.sql("SELECT * FROM gateways ORDER BY created_at, id")
                .query((rs, n) -> new GatewayDef(rs.getString("id"), rs.getString("name"), instant(rs, "created_at")))
                .list();
    }

    void insertGateway(GatewayDef g) {
        jdbc.sql("INSERT INTO gateways (id, name, created_at) VALUES (?, ?, ?)").params(g.id(), g.name(), ts(g.createdAt())).update();
    }

    void renameGateway(String id, String name) {
        jdbc.sql("UPDATE gateways SET name = ? WHERE id = ?").params(name, id).update();
    }

    boolean deleteGateway(String id) {
        return jdbc.sql("DELETE FROM gateways WHERE id = ?").param(id).update() > 0;
    }

    // --- assignments

    List<Assignment> assignments() {
        return jdbc.sql("SELECT * FROM assignments").query((rs, n) -> new Assignment(rs.getString("gateway_id"),
                rs.getString("server_id"), IdentityScheme.fromWire(rs.getString("identity")), rs.getString("prefix"),
                instant(rs, "created_at"))).list();
    }

    void upsertAssignment(Assignment a) {
        int updated = jdbc.sql("UPDATE assignments SET identity = ?, prefix = ? WHERE gateway_id = ? AND server_id = ?")
                .params(a.identity().wire(), a.prefix(), a.gatewayId(), a.serverId()).update();
        if (updated == 0) {
            jdbc.sql("INSERT INTO assignments (gateway_id, server_id, identity, prefix, created_at) VALUES (?, ?, ?, ?, ?)")
                    .params(a.gatewayId(), a.serverId(), a.identity().wire(), a.prefix(), ts(a.createdAt())).update();
        }
    }

    boolean deleteAssignment(String gatewayId, String serverId) {
        return jdbc.sql("DELETE FROM assignments WHERE gateway_id = ? AND server_id = ?").params(gatewayId, serverId).update() > 0;
    }

    // --- hosts and connections

    List<Host> hosts() {
        return jdbc.sql("SELECT * FROM hosts ORDER BY created_at, id")
                .query((rs, n) -> new Host(rs.getString("id"), rs.getString("name"), rs.getString("kind"), instant(rs, "created_at")))
                .list();
    }

    void insertHost(Host h) {
        jdbc.sql("INSERT INTO hosts (id, name, kind, created_at) VALUES (?, ?, ?, ?)").params(h.id(), h.name(), h.kind(), ts(h.createdAt())).update();
    }

    boolean deleteHost(String id) {
        return jdbc.sql("DELETE FROM hosts WHERE id = ?").param(id).update() > 0;
    }

    List<Connection> connections() {
        return jdbc.sql("SELECT * FROM connections ORDER BY created_at, id").query(this::connection).list();
    }

    void insertConnection(Connection c) {
        jdbc.sql("INSERT INTO connections (id, gateway_id, host_id, user_id, enabled, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(c.id(), c.gatewayId(), c.hostId(), c.userId(), c.enabled(), c.tokenHash(), ts(c.createdAt())).update();
    }

    void setConnectionEnabled(String id, boolean enabled) {
        jdbc.sql("UPDATE connections SET enabled = ? WHERE id = ?").params(enabled, id).update();
    }

    void setConnectionTokenHash(String id, String hash) {
        jdbc.sql("UPDATE connections SET token_hash = ? WHERE id = ?").params(hash, id).update();
    }

    boolean deleteConnection(String id) {
        return jdbc.sql("DELETE FROM connections WHERE id = ?").param(id).update() > 0;
    }

    int deleteConnectionsOfUser(String userId) {
        return jdbc.sql("DELETE FROM connections WHERE user_id = ?").param(userId).update();
    }

    private Connection connection(ResultSet rs, int row) throws SQLException {
        return new Connection(rs.getString("id"), rs.getString("gateway_id"), rs.getString("host_id"), rs.getString("user_id"),
                rs.getBoolean("enabled"), rs.getString("token_hash"), instant(rs, "created_at"));
    }

    static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
