package gatehouse.scim;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.identity.Directory;
import gatehouse.identity.Team;
import gatehouse.identity.User;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SCIM's view of the directory: users and teams as SCIM resources, and SCIM writes turned into the
 * directory's own operations (so disabling or deleting a user cuts them off exactly as the admin
 * API does). The SCIM-only attributes (externalId, names) live in their own columns.
 */
@Service
class ScimStore {
    static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

    private final JdbcClient jdbc;
    private final Directory directory;
    private final String base;

    ScimStore(JdbcClient jdbc, Directory directory, GatehouseProperties props) {
        this.jdbc = jdbc;
        this.directory = directory;
        this.base = props.publicUrlNoSlash() + "/scim/v2";
    }

    private record Extra(String externalId, String displayName, String givenName, String familyName, Instant updatedAt) {
    }

    private Map<String, Extra> userExtras() {
        Map<String, Extra> m = new java.util.HashMap<>();
        jdbc.sql("SELECT id, external_id, display_name, given_name, family_name, updated_at FROM users").query((rs, n) -> {
            Timestamp u = rs.getTimestamp("updated_at");
            m.put(rs.getString("id"), new Extra(rs.getString("external_id"), rs.getString("display_name"), rs.getString("given_name"),
                    rs.getString("family_name"), u == null ? null : u.toInstant()));
            return null;
        }).list();
        return m;
    }

    private Map<String, String[]> teamExtras() {
        Map<String, String[]> m = new java.util.HashMap<>();
        jdbc.sql("SELECT id, external_id, updated_at FROM teams").query((rs, n) -> {
            Timestamp u = rs.getTimestamp("updated_at");
            m.put(rs.getString("id"), new String[] {rs.getString("external_id"), u == null ? null : u.toInstant().toString()});
            return null;
        }).list();
        return m;
    }

    // --- reading

    List<ObjectNode> users() {
        Map<String, Extra> extras = userExtras();
        List<Team> teams = directory.teams();
        return directory.users().stream().map(u -> user(u, extras.get(u.id()), teams)).toList();
    }

    ObjectNode user(String id) {
        User u;
        try {
            u = directory.user(id);
        } catch (RuntimeException e) {
            throw ScimException.notFound("User", id);
        }
        return user(u, userExtras().get(id), directory.teams());
    }

    private ObjectNode user(User u, Extra x, List<Team> teams) {
        ObjectNode o = Json.object();
        o.putArray("schemas").add(USER_SCHEMA);
        o.put("id", u.id());
        if (x != null && x.externalId() != null) {
            o.put("externalId", x.externalId());
        }
        o.put("userName", u.username());
        ObjectNode name = o.putObject("name");
        if (x != null && x.givenName() != null) {
            name.put("givenName", x.givenName());
        }
        if (x != null && x.familyName() != null) {
            name.put("familyName", x.familyName());
        }
        String formatted = String.join(" ", java.util.stream.Stream.of(x == null ? null : x.givenName(), x == null ? null : x.familyName())
                .filter(s -> s != null && !s.isBlank()).toList());
        if (!formatted.isEmpty()) {
            name.put("formatted", formatted);
        }
        if (x != null && x.displayName() != null) {
            o.put("displayName", x.displayName());
        }
        if (u.email() != null) {
            o.putArray("emails").addObject().put("value", u.email()).put("type", "work").put("primary", true);
        }
        o.put("active", u.enabled());
        ArrayNode groups = o.putArray("groups");
        teams.stream().filter(t -> t.memberIds().contains(u.id()))
                .forEach(t -> groups.addObject().put("value", t.id()).put("display", t.name()).put("$ref", base + "/Groups/" + t.id()));
        ObjectNode meta = o.putObject("meta");
        meta.put("resourceType", "User");
        meta.put("created", u.createdAt().toString());
        meta.put("lastModified", (x != null && x.updatedAt() != null ? x.updatedAt() : u.createdAt()).toString());
        meta.put("location", base + "/Users/" + u.id());
        return o;
    }

    List<ObjectNode> groups() {
        Map<String, String[]> extras = teamExtras();
        Map<String, String> names = usernames();
        return directory.teams().stream().map(t -> group(t, extras.get(t.id()), names)).toList();
    }

    ObjectNode group(String id) {
        Team t = directory.teams().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow(() -> ScimException.notFound("Group", id));
        return group(t, teamExtras().get(id), usernames());
    }

    private Map<String, String> usernames() {
        Map<String, String> m = new java.util.HashMap<>();
        directory.users().forEach(u -> m.put(u.id(), u.username()));
        return m;
    }

    private ObjectNode group(Team t, String[] x, Map<String, String> usernames) {
        ObjectNode o = Json.object();
        o.putArray("schemas").add(GROUP_SCHEMA);
        o.put("id", t.id());
        if (x != null && x[0] != null) {
            o.put("externalId", x[0]);
        }
        o.put("displayName", t.name());
        ArrayNode members = o.putArray("members");
        t.memberIds().forEach(uid -> members.addObject().put("value", uid).put("display", usernames.getOrDefault(uid, uid))
                .put("$ref", base + "/Users/" + uid).put("type", "User"));
        ObjectNode meta = o.putObject("meta");
        meta.put("resourceType", "Group");
        meta.put("created", t.createdAt().toString());
        meta.put("lastModified", x != null && x[1] != null ? x[1] : t.createdAt().toString());
        meta.put("location", base + "/Groups/" + t.id());
        return o;
    }

    // --- writing users

    private static String text(JsonNode node, String path) {
        List<JsonNode> found = ScimFilter.resolve(node, path);
        return found.isEmpty() || found.getFirst().isNull() ? null : found.getFirst().asString();
    }

    /** The primary e-mail, else the work one, else the first. */
    private static String email(JsonNode user) {
        JsonNode emails = ScimFilter.child(user, "emails");
        if (emails == null || !emails.isArray() || emails.isEmpty()) {
            return null;
        }
        for (String want : List.of("primary", "work")) {
            for (JsonNode e : emails) {
                JsonNode primary = ScimFilter.child(e, "primary");
                JsonNode type = ScimFilter.child(e, "type");
                boolean hit = want.equals("primary") ? primary != null && (primary.asBoolean() || "true".equalsIgnoreCase(primary.asString()))
                        : type != null && "work".equalsIgnoreCase(type.asString());
                if (hit && ScimFilter.child(e, "value") != null) {
                    return ScimFilter.child(e, "value").asString();
                }
            }
        }
        JsonNode v = ScimFilter.child(emails.get(0), "value");
        return v == null ? null : v.asString();
    }

    private static Boolean active(JsonNode user) {
        JsonNode a = ScimFilter.child(user, "active");
        if (a == null || a.isNull()) {
            return null;
        }
        if (a.isBoolean()) {
            return a.asBoolean();
        }
        if (a.isString() && (a.asString().equalsIgnoreCase("true") || a.asString().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(a.asString().toLowerCase(java.util.Locale.ROOT));
        }
        throw ScimException.invalidValue("active must be a boolean");
    }

    @Transactional
    ObjectNode createUser(JsonNode in) {
        String userName = text(in, "userName");
        if (userName == null || userName.isBlank()) {
            throw ScimException.invalidValue("userName is required");
        }
        if (directory.userByUsername(userName).isPresent()) {
            throw ScimException.uniqueness("a user with userName " + userName + " already exists");
        }
        User u = directory.createExternalUser(userName, email(in), "scim");
        String password = text(in, "password");
        if (password != null) {
            directory.updateUser(u.id(), null, null, password);
        }
        Boolean active = active(in);
        if (Boolean.FALSE.equals(active)) {
            directory.updateUser(u.id(), null, false, null);
        }
        saveExtras(u.id(), in);
        return user(u.id());
    }

    /** PUT semantics: the resource becomes what was sent (attributes left out are cleared). */
    @Transactional
    ObjectNode replaceUser(String id, JsonNode in) {
        ObjectNode current = user(id);
        String userName = text(in, "userName");
        if (userName == null || userName.isBlank()) {
            throw ScimException.invalidValue("userName is required");
        }
        if (!userName.equals(current.path("userName").asString())) {
            Optional<User> other = directory.userByUsername(userName);
            if (other.isPresent() && !other.get().id().equals(id)) {
                throw ScimException.uniqueness("a user with userName " + userName + " already exists");
            }
            jdbc.sql("UPDATE users SET username = ? WHERE id = ?").params(userName, id).update();
        }
        String password = text(in, "password");
        Boolean active = active(in);
        String email = email(in);
        jdbc.sql("UPDATE users SET email = ? WHERE id = ?").params(email, id).update();
        directory.updateUser(id, null, active, password);
        saveExtras(id, in);
        directory.reload();
        return user(id);
    }

    private void saveExtras(String id, JsonNode in) {
        jdbc.sql("UPDATE users SET external_id = ?, display_name = ?, given_name = ?, family_name = ?, updated_at = ? WHERE id = ?")
                .params(cut(text(in, "externalId")), cut(text(in, "displayName")), cut(text(in, "name.givenName")),
                        cut(text(in, "name.familyName")), Timestamp.from(Instant.now()), id).update();
    }

    private static String cut(String s) {
        return s == null || s.length() <= 256 ? s : s.substring(0, 256);
    }

    @Transactional
    void deleteUser(String id) {
        user(id);
        directory.deleteUser(id);
    }

    // --- writing groups

    @Transactional
    ObjectNode createGroup(JsonNode in) {
        String name = text(in, "displayName");
        if (name == null || name.isBlank()) {
            throw ScimException.invalidValue("displayName is required");
        }
        if (directory.teams().stream().anyMatch(t -> t.name().equals(name))) {
            throw ScimException.uniqueness("a group named " + name + " already exists");
        }
        Team t = directory.createTeam(name);
        setMembers(t.id(), members(in));
        saveGroupExtras(t.id(), in);
        return group(t.id());
    }

    @Transactional
    ObjectNode replaceGroup(String id, JsonNode in) {
        ObjectNode current = group(id);
        String name = text(in, "displayName");
        if (name == null || name.isBlank()) {
            throw ScimException.invalidValue("displayName is required");
        }
        if (!name.equals(current.path("displayName").asString())) {
            if (directory.teams().stream().anyMatch(t -> t.name().equals(name) && !t.id().equals(id))) {
                throw ScimException.uniqueness("a group named " + name + " already exists");
            }
            jdbc.sql("UPDATE teams SET name = ? WHERE id = ?").params(name, id).update();
        }
        setMembers(id, members(in));
        saveGroupExtras(id, in);
        directory.reload();
        return group(id);
    }

    private void saveGroupExtras(String id, JsonNode in) {
        jdbc.sql("UPDATE teams SET external_id = ?, updated_at = ? WHERE id = ?")
                .params(cut(text(in, "externalId")), Timestamp.from(Instant.now()), id).update();
    }

    private Set<String> members(JsonNode in) {
        Set<String> out = new LinkedHashSet<>();
        JsonNode members = ScimFilter.child(in, "members");
        if (members != null && members.isArray()) {
            Set<String> known = new HashSet<>();
            directory.users().forEach(u -> known.add(u.id()));
            for (JsonNode m : members) {
                JsonNode v = m.isObject() ? ScimFilter.child(m, "value") : m;
                if (v == null || !known.contains(v.asString())) {
                    throw ScimException.invalidValue("member " + (v == null ? "without a value" : v.asString()) + " is not a user here");
                }
                out.add(v.asString());
            }
        }
        return out;
    }

    private void setMembers(String teamId, Set<String> wanted) {
        Team t = directory.team(teamId);
        for (String uid : new ArrayList<>(t.memberIds())) {
            if (!wanted.contains(uid)) {
                directory.removeMember(teamId, uid);
            }
        }
        for (String uid : wanted) {
            if (!t.memberIds().contains(uid)) {
                directory.addMember(teamId, uid);
            }
        }
    }

    @Transactional
    void deleteGroup(String id) {
        group(id);
        directory.deleteTeam(id);
    }
}
