package gatehouse.identity;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import gatehouse.policy.access.Scope;

/** JDBC access to roles and role grants. */
@Repository
class RoleRepository {
    private final JdbcClient jdbc;

    RoleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Role> roles() {
        return jdbc.sql("SELECT * FROM roles ORDER BY built_in DESC, created_at, id").query((rs, n) -> role(rs, n)).list();
    }

    Optional<Role> role(String id) {
        return jdbc.sql("SELECT * FROM roles WHERE id = ?").param(id).query((rs, n) -> role(rs, n)).optional();
    }

    Optional<Role> roleByName(String name) {
        return jdbc.sql("SELECT * FROM roles WHERE name = ?").param(name).query((rs, n) -> role(rs, n)).optional();
    }

    void insertRole(Role r) {
        jdbc.sql("INSERT INTO roles (id, name, permissions, built_in, created_at) VALUES (?, ?, ?, ?, ?)")
                .params(r.id(), r.name(), String.join(" ", r.permissions()), r.builtIn(), DirectoryRepository.ts(r.createdAt())).update();
    }

    void updatePermissions(String id, List<String> permissions) {
        jdbc.sql("UPDATE roles SET permissions = ? WHERE id = ?").params(String.join(" ", permissions), id).update();
    }

    boolean deleteRole(String id) {
        return jdbc.sql("DELETE FROM roles WHERE id = ? AND built_in = FALSE").param(id).update() > 0;
    }

    List<RoleGrant> grants() {
        return jdbc.sql("SELECT * FROM role_grants ORDER BY created_at, id").query((rs, n) -> grant(rs, n)).list();
    }

    List<RoleGrant> grantsOf(String userId) {
        return jdbc.sql("SELECT * FROM role_grants WHERE user_id = ? ORDER BY created_at, id").param(userId).query((rs, n) -> grant(rs, n)).list();
    }

    void insertGrant(RoleGrant g) {
        jdbc.sql("INSERT INTO role_grants (id, user_id, role_id, scope_kind, scope_id, created_at) VALUES (?, ?, ?, ?, ?, ?)")
                .params(g.id(), g.userId(), g.roleId(), g.scope().kind(), g.scope().id(), DirectoryRepository.ts(g.createdAt())).update();
    }

    boolean deleteGrant(String userId, String grantId) {
        return jdbc.sql("DELETE FROM role_grants WHERE user_id = ? AND id = ?").params(userId, grantId).update() > 0;
    }

    int deleteGrantsOfRole(String userId, String roleId) {
        return jdbc.sql("DELETE FROM role_grants WHERE user_id = ? AND role_id = ?").params(userId, roleId).update();
    }

    private Role role(ResultSet rs, int n) throws SQLException {
        String perms = rs.getString("permissions");
        List<String> list = perms == null || perms.isBlank() ? List.of() : Arrays.asList(perms.trim().split("\\s+"));
        return new Role(rs.getString("id"), rs.getString("name"), List.copyOf(list), rs.getBoolean("built_in"),
                DirectoryRepository.instant(rs, "created_at"));
    }

    private RoleGrant grant(ResultSet rs, int n) throws SQLException {
        return new RoleGrant(rs.getString("id"), rs.getString("user_id"), rs.getString("role_id"),
                Scope.of(rs.getString("scope_kind"), rs.getString("scope_id")), DirectoryRepository.instant(rs, "created_at"));
    }
}
