package gatehouse.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** JDBC access to users, teams, memberships and gateway holdings. */
@Repository
class DirectoryRepository {
    private final JdbcClient jdbc;

    DirectoryRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Membership(String teamId, String userId) {
    }

    /** A team's holding of a gateway; each list is null when the team sees every feature of that kind. */
    record Holding(String gatewayId, String teamId, List<String> tools, List<String> prompts, List<String> resources) {
        gatehouse.policy.access.Subsets subsets() {
            return new gatehouse.policy.access.Subsets(set(tools), set(prompts), set(resources));
        }

        private static java.util.Set<String> set(List<String> l) {
            return l == null ? null : java.util.Set.copyOf(l);
        }
    }

    // --- users

    List<User> users() {
        return jdbc.sql("SELECT * FROM users ORDER BY created_at, id").query((rs, n) -> user(rs, n)).list();
    }

    Optional<User> user(String id) {
        return jdbc.sql("SELECT * FROM users WHERE id = ?").param(id).query((rs, n) -> user(rs, n)).optional();
    }

    Optional<User> userByUsername(String username) {
        return jdbc.sql("SELECT * FROM users WHERE username = ?").param(username).query((rs, n) -> user(rs, n)).optional();
    }

    Optional<String> passwordHash(String userId) {
        return jdbc.sql("SELECT password_hash FROM users WHERE id = ?").param(userId).query(String.class).optional();
    }

    void insertUser(User u, String passwordHash) {
        jdbc.sql("INSERT INTO users (id, username, email, password_hash, enabled, failed_logins, locked_until, source, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, 0, NULL, ?, ?)")
                .params(u.id(), u.username(), u.email(), passwordHash, u.enabled(), u.source(), ts(u.createdAt())).update();
    }

    void updateUser(String id, String email, boolean enabled) {
        jdbc.sql("UPDATE users SET email = ?, enabled = ? WHERE id = ?").params(email, enabled, id).update();
    }

    void setPassword(String id, String hash) {
        jdbc.sql("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?").params(hash, id).update();
    }

    /**
     * One atomic statement, so parallel attempts each count: the row is updated only while it is
     * not locked and has attempts left. A lock that has run out starts a fresh count.
     */
    boolean reserveAttempt(String id, Instant now, int maxFailures) {
        return jdbc.sql("UPDATE users SET failed_logins = CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END, "
                        + "locked_until = NULL WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?) "
                        + "AND (failed_logins < ? OR locked_until IS NOT NULL)")
                .params(id, ts(now), maxFailures).update() == 1;
    }

    boolean lockIfExhausted(String id, int maxFailures, Instant lockedUntil) {
        return jdbc.sql("UPDATE users SET locked_until = ? WHERE id = ? AND locked_until IS NULL AND failed_logins >= ?")
                .params(ts(lockedUntil), id, maxFailures).update() == 1;
    }

    void clearFailures(String id) {
        jdbc.sql("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ? AND (failed_logins <> 0 OR locked_until IS NOT NULL)")
                .param(id).update();
    }

    boolean deleteUser(String id) {
        return jdbc.sql("DELETE FROM users WHERE id = ?").param(id).update() > 0;
    }

    private User user(ResultSet rs, int row) throws SQLException {
        return new User(rs.getString("id"), rs.getString("username"), rs.getString("email"), rs.getBoolean("enabled"),
                rs.getString("password_hash") != null, rs.getInt("failed_logins"), instant(rs, "locked_until"),
                rs.getString("source"), instant(rs, "created_at"));
    }

    // --- teams

    List<Team> teams() {
        List<Membership> members = memberships();
        List<Holding> holdings = holdings();
        return jdbc.sql("SELECT * FROM teams ORDER BY created_at, id").query((rs, n) -> {
            String id = rs.getString("id");
            return new Team(id, rs.getString("name"),
                    members.stream().filter(m -> m.teamId().equals(id)).map(Membership::userId).sorted().toList(),
                    holdings.stream().filter(h -> h.teamId().equals(id)).map(Holding::gatewayId).sorted().toList(),
                    holdings.stream().filter(h -> h.teamId().equals(id) && h.tools() != null)
                            .collect(java.util.stream.Collectors.toUnmodifiableMap(Holding::gatewayId, Holding::tools)),
                    holdings.stream().filter(h -> h.teamId().equals(id) && h.prompts() != null)
                            .collect(java.util.stream.Collectors.toUnmodifiableMap(Holding::gatewayId, Holding::prompts)),
                    holdings.stream().filter(h -> h.teamId().equals(id) && h.resources() != null)
                            .collect(java.util.stream.Collectors.toUnmodifiableMap(Holding::gatewayId, Holding::resources)),
                    instant(rs, "created_at"));
        }).list();
    }

    void insertTeam(String id, String name, Instant createdAt) {
        jdbc.sql("INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)").params(id, name, ts(createdAt)).update();
    }

    boolean deleteTeam(String id) {
        return jdbc.sql("DELETE FROM teams WHERE id = ?").param(id).update() > 0;
    }

    List<Membership> memberships() {
        return jdbc.sql("SELECT team_id, user_id FROM team_members").query((rs, n) -> new Membership(rs.getString(1), rs.getString(2))).list();
    }

    /**
     * Users granted, without a scope, a role that holds the {@code admin} permission: administrators,
     * who may connect to every gateway.
     */
    java.util.Set<String> administrators() {
        return jdbc.sql("SELECT g.user_id, r.permissions FROM role_grants g JOIN roles r ON r.id = g.role_id WHERE g.scope_kind = 'global'")
                .query((rs, n) -> java.util.Arrays.asList(rs.getString(2).split(" ")).contains("admin") ? rs.getString(1) : null).list()
                .stream().filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    List<Holding> holdings() {
        return jdbc.sql("SELECT gateway_id, team_id, tools FROM gateway_teams")
                .query((rs, n) -> holding(rs.getString(1), rs.getString(2), rs.getString(3))).list();
    }

    void addMember(String teamId, String userId) {
        if (jdbc.sql("SELECT COUNT(*) FROM team_members WHERE team_id = ? AND user_id = ?").params(teamId, userId).query(Long.class).single() == 0) {
            jdbc.sql("INSERT INTO team_members (team_id, user_id, created_at) VALUES (?, ?, ?)").params(teamId, userId, ts(Instant.now())).update();
        }
    }

    boolean removeMember(String teamId, String userId) {
        return jdbc.sql("DELETE FROM team_members WHERE team_id = ? AND user_id = ?").params(teamId, userId).update() > 0;
    }

    /**
     * Adds or updates a holding; a null list means every feature of its kind. Stored in the
     * {@code tools} column: a JSON array when only tools are limited (the original form), else an
     * object {@code {"tools":[…],"prompts":[…],"resources":[…]}} with the limited kinds.
     */
    void putHolding(String gatewayId, String teamId, List<String> tools, List<String> prompts, List<String> resources) {
        String json;
        if (tools == null && prompts == null && resources == null) {
            json = null;
        } else if (prompts == null && resources == null) {
            json = gatehouse.platform.Json.string(tools);
        } else {
            tools.jackson.databind.node.ObjectNode o = gatehouse.platform.Json.object();
            if (tools != null) {
                o.set("tools", gatehouse.platform.Json.MAPPER.valueToTree(tools));
            }
            if (prompts != null) {
                o.set("prompts", gatehouse.platform.Json.MAPPER.valueToTree(prompts));
            }
            if (resources != null) {
                o.set("resources", gatehouse.platform.Json.MAPPER.valueToTree(resources));
            }
            json = gatehouse.platform.Json.string(o);
        }
        if (jdbc.sql("UPDATE gateway_teams SET tools = ? WHERE gateway_id = ? AND team_id = ?").params(json, gatewayId, teamId).update() == 0) {
            jdbc.sql("INSERT INTO gateway_teams (gateway_id, team_id, tools, created_at) VALUES (?, ?, ?, ?)")
                    .params(gatewayId, teamId, json, ts(Instant.now())).update();
        }
    }

    private static Holding holding(String gatewayId, String teamId, String json) {
        if (json == null) {
            return new Holding(gatewayId, teamId, null, null, null);
        }
        tools.jackson.databind.JsonNode stored = gatehouse.platform.Json.tree(json);
        if (stored.isArray()) {
            return new Holding(gatewayId, teamId, names(stored), null, null);
        }
        return new Holding(gatewayId, teamId, names(stored.get("tools")), names(stored.get("prompts")), names(stored.get("resources")));
    }

    private static List<String> names(tools.jackson.databind.JsonNode array) {
        if (array == null || !array.isArray()) {
            return null;
        }
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return List.copyOf(out);
    }

    boolean removeHolding(String gatewayId, String teamId) {
        return jdbc.sql("DELETE FROM gateway_teams WHERE gateway_id = ? AND team_id = ?").params(gatewayId, teamId).update() > 0;
    }

    static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
