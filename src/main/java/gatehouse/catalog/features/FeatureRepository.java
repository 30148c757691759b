package gatehouse.catalog.features;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import gatehouse.platform.Json;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.FeatureStatus;
import gatehouse.policy.provisioning.KindPolicy;
import gatehouse.policy.provisioning.ProvisioningSettings;
import tools.jackson.databind.JsonNode;

/** JDBC access to features, their versions, inventories and gateway provisioning settings. */
@Repository
class FeatureRepository {
    private final JdbcClient jdbc;

    FeatureRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A feature's id is derived from what identifies it, so two replicas that discover the same
     * feature at once collide on the primary key instead of creating it twice.
     */
    static String featureId(String gatewayId, String serverId, FeatureKind kind, String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((gatewayId + "\n" + serverId + "\n" + kind.wire() + "\n" + name)
                    .getBytes(StandardCharsets.UTF_8));
            return "ft_" + HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Something that changes whenever anything the view is built from changes (cheap to ask every few seconds). */
    String changeMarker() {
        return jdbc.sql("SELECT (SELECT COUNT(*) FROM features) AS f, (SELECT MAX(updated_at) FROM features) AS fu, "
                        + "(SELECT COUNT(*) FROM feature_versions) AS v, (SELECT COUNT(*) FROM feature_inventories) AS i, "
                        + "(SELECT COUNT(*) FROM gateway_provisioning) AS g, (SELECT MAX(updated_at) FROM gateway_provisioning) AS gu")
                .query((rs, n) -> rs.getLong("f") + "/" + rs.getTimestamp("fu") + "/" + rs.getLong("v") + "/" + rs.getLong("i") + "/"
                        + rs.getLong("g") + "/" + rs.getTimestamp("gu"))
                .single();
    }

    // --- the view's raw material

    record StateRow(String gatewayId, String serverId, FeatureState state) {
    }

    List<StateRow> states() {
        Map<String, Set<String>> known = new HashMap<>();
        jdbc.sql("SELECT feature_id, fingerprint FROM feature_versions").query(rs -> {
            known.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
        });
        return jdbc.sql("SELECT id, gateway_id, server_id, kind, name, enabled, status, present, approved_fingerprint, current_fingerprint "
                        + "FROM features")
                .query((rs, n) -> new StateRow(rs.getString("gateway_id"), rs.getString("server_id"), new FeatureState(
                        rs.getString("id"), FeatureKind.fromWire(rs.getString("kind")), rs.getString("name"), bool(rs, "enabled"),
                        FeatureStatus.fromWire(rs.getString("status")), rs.getString("approved_fingerprint"),
                        rs.getString("current_fingerprint"), rs.getBoolean("present"), known.get(rs.getString("id")))))
                .list();
    }

    record InventoryRow(String gatewayId, String serverId, FeatureKind kind) {
    }

    List<InventoryRow> inventories() {
        return jdbc.sql("SELECT gateway_id, server_id, kind FROM feature_inventories")
                .query((rs, n) -> new InventoryRow(rs.getString(1), rs.getString(2), FeatureKind.fromWire(rs.getString(3)))).list();
    }

    void insertInventory(String gatewayId, String serverId, FeatureKind kind, Instant now) {
        int exists = jdbc.sql("SELECT COUNT(*) FROM feature_inventories WHERE gateway_id = ? AND server_id = ? AND kind = ?")
                .params(gatewayId, serverId, kind.wire()).query(Integer.class).single();
        if (exists == 0) {
            jdbc.sql("INSERT INTO feature_inventories (gateway_id, server_id, kind, discovered_at) VALUES (?, ?, ?, ?)")
                    .params(gatewayId, serverId, kind.wire(), ts(now)).update();
        }
    }

    Map<String, ProvisioningSettings> settings(boolean defaultApproveOnAssign) {
        Map<String, ProvisioningSettings> out = new HashMap<>();
        jdbc.sql("SELECT * FROM gateway_provisioning").query(rs -> {
            out.put(rs.getString("gateway_id"), settings(rs));
        });
        return out;
    }

    private static ProvisioningSettings settings(ResultSet rs) throws SQLException {
        Map<FeatureKind, KindPolicy> p = new EnumMap<>(FeatureKind.class);
        p.put(FeatureKind.TOOL, KindPolicy.fromWire(rs.getString("tools_policy")));
        p.put(FeatureKind.PROMPT, KindPolicy.fromWire(rs.getString("prompts_policy")));
        p.put(FeatureKind.RESOURCE, KindPolicy.fromWire(rs.getString("resources_policy")));
        p.put(FeatureKind.RESOURCE_TEMPLATE, KindPolicy.fromWire(rs.getString("resource_templates_policy")));
        int budget = rs.getInt("tool_budget");
        Integer toolBudget = rs.wasNull() ? null : budget;
        return new ProvisioningSettings(p, rs.getBoolean("auto_approve"), rs.getBoolean("approve_on_assign"), toolBudget);
    }

    void upsertSettings(String gatewayId, ProvisioningSettings s, Instant now) {
        Object[] values = {s.policy(FeatureKind.TOOL).wire(), s.policy(FeatureKind.PROMPT).wire(), s.policy(FeatureKind.RESOURCE).wire(),
                s.policy(FeatureKind.RESOURCE_TEMPLATE).wire(), s.autoApprove(), s.approveOnAssign(), s.toolBudget(), ts(now), gatewayId};
        int n = jdbc.sql("UPDATE gateway_provisioning SET tools_policy = ?, prompts_policy = ?, resources_policy = ?, "
                + "resource_templates_policy = ?, auto_approve = ?, approve_on_assign = ?, tool_budget = ?, updated_at = ? WHERE gateway_id = ?")
                .params(values).update();
        if (n == 0) {
            jdbc.sql("INSERT INTO gateway_provisioning (tools_policy, prompts_policy, resources_policy, resource_templates_policy, "
                    + "auto_approve, approve_on_assign, tool_budget, updated_at, gateway_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(values).update();
        }
    }

    // --- features

    private static final String FEATURE_COLUMNS = "id, gateway_id, server_id, kind, name, enabled, status, present, approved_fingerprint, "
            + "approved_snapshot, current_fingerprint, current_snapshot, first_seen_at, approved_at, changed_at, updated_at";

    /** The features of a gateway that a server has listed at least once (not placeholders). */
    List<Feature> features(String gatewayId) {
        return jdbc.sql("SELECT " + FEATURE_COLUMNS + " FROM features WHERE gateway_id = ? AND current_fingerprint IS NOT NULL ORDER BY kind, name")
                .param(gatewayId).query(FeatureRepository::feature).list();
    }

    Optional<Feature> feature(String id) {
        return jdbc.sql("SELECT " + FEATURE_COLUMNS + " FROM features WHERE id = ?").param(id).query(FeatureRepository::feature).optional();
    }

    /**
     * A feature seen for the first time, or a placeholder (configured before discovery) seen at
     * last. If another replica recorded it first, the insert fails on the primary key.
     */
    void saveNew(String id, String gatewayId, String serverId, FeatureKind kind, String name, FeatureStatus status,
                 String fingerprint, JsonNode snapshot, Instant now) {
        boolean approved = status == FeatureStatus.APPROVED;
        String snap = Json.string(snapshot);
        int n = jdbc.sql("UPDATE features SET status = ?, present = ?, approved_fingerprint = ?, approved_snapshot = ?, current_fingerprint = ?, "
                        + "current_snapshot = ?, first_seen_at = ?, approved_at = ?, changed_at = ?, updated_at = ? WHERE id = ? AND current_fingerprint IS NULL")
                .params(status.wire(), true, approved ? fingerprint : null, approved ? snap : null, fingerprint, snap, ts(now),
                        approved ? ts(now) : null, ts(now), ts(now), id)
                .update();
        if (n == 0) {
            jdbc.sql("INSERT INTO features (id, gateway_id, server_id, kind, name, enabled, status, present, approved_fingerprint, "
                            + "approved_snapshot, current_fingerprint, current_snapshot, first_seen_at, approved_at, changed_at, updated_at) "
                            + "VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(id, gatewayId, serverId, kind.wire(), name, status.wire(), true, approved ? fingerprint : null,
                            approved ? snap : null, fingerprint, snap, ts(now), approved ? ts(now) : null, ts(now), ts(now))
                    .update();
        }
        insertVersion(id, fingerprint, snap, now, approved ? now : null);
    }

    /** A placeholder: a feature configured (enabled or disabled) before any server listed it. */
    void insertPlaceholder(String id, String gatewayId, String serverId, FeatureKind kind, String name, boolean enabled, Instant now) {
        jdbc.sql("INSERT INTO features (id, gateway_id, server_id, kind, name, enabled, status, present, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(id, gatewayId, serverId, kind.wire(), name, enabled, FeatureStatus.PENDING.wire(), false, ts(now))
                .update();
    }

    /**
     * A new definition of a known feature, recorded only if the last one recorded is still
     * {@code expectedCurrent} (another replica may have recorded the change first). Returns whether it was.
     */
    boolean saveChanged(String id, String expectedCurrent, FeatureStatus status, String fingerprint, JsonNode snapshot, Instant now) {
        String snap = Json.string(snapshot);
        int n = jdbc.sql("UPDATE features SET status = ?, present = ?, current_fingerprint = ?, current_snapshot = ?, changed_at = ?, updated_at = ? "
                        + "WHERE id = ? AND current_fingerprint = ?")
                .params(status.wire(), true, fingerprint, snap, ts(now), ts(now), id, expectedCurrent).update();
        if (n == 0) {
            return false;
        }
        int known = jdbc.sql("SELECT COUNT(*) FROM feature_versions WHERE feature_id = ? AND fingerprint = ?")
                .params(id, fingerprint).query(Integer.class).single();
        if (known == 0) {
            insertVersion(id, fingerprint, snap, now, null);
        }
        return true;
    }

    void setPresent(String id, boolean present, Instant now) {
        jdbc.sql("UPDATE features SET present = ?, updated_at = ? WHERE id = ?").params(present, ts(now), id).update();
    }

    void setEnabled(String id, Boolean enabled, Instant now) {
        jdbc.sql("UPDATE features SET enabled = ?, updated_at = ? WHERE id = ?").params(enabled, ts(now), id).update();
    }

    /** Approval takes the current definition as the new snapshot. */
    void approve(String id, String fingerprint, JsonNode snapshot, Instant now) {
        jdbc.sql("UPDATE features SET status = ?, approved_fingerprint = ?, approved_snapshot = ?, approved_at = ?, updated_at = ? WHERE id = ?")
                .params(FeatureStatus.APPROVED.wire(), fingerprint, Json.string(snapshot), ts(now), ts(now), id).update();
        int n = jdbc.sql("UPDATE feature_versions SET approved_at = ? WHERE feature_id = ? AND fingerprint = ?")
                .params(ts(now), id, fingerprint).update();
        if (n == 0) {
            insertVersion(id, fingerprint, Json.string(snapshot), now, now);
        }
    }

    private void insertVersion(String featureId, String fingerprint, String snapshot, Instant seen, Instant approved) {
        int next = jdbc.sql("SELECT COALESCE(MAX(version_no), 0) + 1 FROM feature_versions WHERE feature_id = ?")
                .param(featureId).query(Integer.class).single();
        jdbc.sql("INSERT INTO feature_versions (feature_id, version_no, fingerprint, snapshot, seen_at, approved_at) VALUES (?, ?, ?, ?, ?, ?)")
                .params(featureId, next, fingerprint, snapshot, ts(seen), approved == null ? null : ts(approved)).update();
    }

    List<FeatureVersion> versions(String featureId) {
        return jdbc.sql("SELECT version_no, fingerprint, snapshot, seen_at, approved_at FROM feature_versions WHERE feature_id = ? ORDER BY version_no")
                .param(featureId)
                .query((rs, n) -> new FeatureVersion(rs.getInt(1), rs.getString(2), Json.tree(rs.getString(3)), instant(rs, "seen_at"),
                        instant(rs, "approved_at")))
                .list();
    }

    private static Feature feature(ResultSet rs, int row) throws SQLException {
        return new Feature(rs.getString("id"), rs.getString("gateway_id"), rs.getString("server_id"), FeatureKind.fromWire(rs.getString("kind")),
                rs.getString("name"), bool(rs, "enabled"), FeatureStatus.fromWire(rs.getString("status")), rs.getBoolean("present"),
                rs.getString("approved_fingerprint"), json(rs.getString("approved_snapshot")), rs.getString("current_fingerprint"),
                json(rs.getString("current_snapshot")), instant(rs, "first_seen_at"), instant(rs, "approved_at"), instant(rs, "changed_at"),
                instant(rs, "updated_at"));
    }

    private static JsonNode json(String s) {
        return s == null ? null : Json.tree(s);
    }

    private static Boolean bool(ResultSet rs, String column) throws SQLException {
        boolean b = rs.getBoolean(column);
        return rs.wasNull() ? null : b;
    }

    static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
