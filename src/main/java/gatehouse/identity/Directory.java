package gatehouse.identity;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.catalog.CatalogService;
import gatehouse.platform.Commits;
import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;

/**
 * Users, teams, memberships and which teams hold a gateway. Validates and persists, then publishes a
 * fresh {@link DirectorySnapshot}; a scheduled reload picks up other replicas' changes.
 */
@Service
public class Directory implements gatehouse.platform.Reloadable {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");
    static final int MIN_PASSWORD = 8;
    static final int MAX_PASSWORD_BYTES = 72;

    private final DirectoryRepository repo;
    private final CatalogService catalog;
    private final PasswordEncoder passwords;
    private final ApplicationEventPublisher events;
    private volatile DirectorySnapshot snapshot;

    Directory(DirectoryRepository repo, CatalogService catalog, PasswordEncoder passwords, ApplicationEventPublisher events) {
        this.repo = repo;
        this.catalog = catalog;
        this.passwords = passwords;
        this.events = events;
        this.snapshot = load();
    }

    /** Published when a user is deleted, so the authorization server can drop their grants. */
    public record UserDeleted(String userId) {
    }

    /**
     * Published when a user is disabled: whatever they hold elsewhere (OAuth grants, admin-API tokens,
     * personal upstream credentials) is revoked at once by its owner; connections are gone already.
     */
    public record UserDisabled(String userId) {
    }

    /**
     * Published when what people see of these gateways may have changed (a team's subsets, a
     * membership of a team holding them), so their sessions can be told their lists changed.
     */
    public record AccessChanged(Set<String> gatewayIds) {
        public AccessChanged {
            gatewayIds = Set.copyOf(gatewayIds);
        }
    }

    public DirectorySnapshot snapshot() {
        return snapshot;
    }

    @Scheduled(fixedDelayString = "${gatehouse.catalog-refresh:5s}")
    @Override
    public void reload() {
        DirectorySnapshot before;
        DirectorySnapshot after;
        synchronized (this) {
            before = snapshot;
            after = load();
            snapshot = after;
        }
        // Changes made elsewhere (another replica, SCIM, a sign-in's group sync) reach this
        // replica's sessions too: their lists changed.
        Set<String> changed = before == null ? Set.of() : DirectorySnapshot.gatewaysSeenDifferently(before, after);
        if (!changed.isEmpty()) {
            events.publishEvent(new AccessChanged(changed));
        }
    }

    private DirectorySnapshot load() {
        Set<String> enabled = repo.users().stream().filter(User::enabled).map(User::id).collect(Collectors.toUnmodifiableSet());
        Map<String, Set<String>> gatewaysByTeam = new HashMap<>();
        for (DirectoryRepository.Holding h : repo.holdings()) {
            gatewaysByTeam.computeIfAbsent(h.teamId(), k -> new HashSet<>()).add(h.gatewayId());
        }
        Map<String, Set<String>> byUser = new HashMap<>();
        for (DirectoryRepository.Membership m : repo.memberships()) {
            byUser.computeIfAbsent(m.userId(), k -> new HashSet<>()).addAll(gatewaysByTeam.getOrDefault(m.teamId(), Set.of()));
        }
        Map<String, Set<String>> frozen = new HashMap<>();
        byUser.forEach((k, v) -> frozen.put(k, Set.copyOf(v)));
        Map<String, Set<String>> teamsByUser = new HashMap<>();
        for (DirectoryRepository.Membership m : repo.memberships()) {
            teamsByUser.computeIfAbsent(m.userId(), k -> new HashSet<>()).add(m.teamId());
        }
        teamsByUser.replaceAll((k, v) -> Set.copyOf(v));
        Map<String, Map<String, gatehouse.policy.access.Subsets>> subsets = new HashMap<>();
        for (DirectoryRepository.Holding h : repo.holdings()) {
            subsets.computeIfAbsent(h.gatewayId(), k -> new HashMap<>()).put(h.teamId(), h.subsets());
        }
        Map<String, Map<String, gatehouse.policy.access.Subsets>> frozenSubsets = new HashMap<>();
        subsets.forEach((k, v) -> frozenSubsets.put(k, Map.copyOf(v)));
        return new DirectorySnapshot(enabled, Map.copyOf(frozen), Map.copyOf(teamsByUser), Map.copyOf(frozenSubsets), repo.administrators());
    }

    /**
     * A change made here is in force before its caller gets an answer: read now (inside the
     * transaction) and again once committed, since a periodic reload may have read the tables
     * between the two and put the old snapshot back.
     */
    private void changed() {
        synchronized (this) {
            snapshot = load();
        }
        Commits.againAfterCommit(this::reload);
    }

    // --- users

    public List<User> users() {
        return repo.users();
    }

    public User user(String id) {
        return repo.user(id).orElseThrow(() -> ProblemException.notFound("user", id));
    }

    public Optional<User> userByUsername(String username) {
        return username == null ? Optional.empty() : repo.userByUsername(username);
    }

    @Transactional
    public User createUser(String username, String password, String email) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ProblemException.invalid("username", "username is required: 1-128 letters, digits and . _ @ + - (starting with a letter or digit)");
        }
        if (repo.userByUsername(username).isPresent()) {
            throw ProblemException.conflict("username", "a user named '" + username + "' already exists");
        }
        if (password != null) {
            checkPassword(password);
        }
        if (email != null && (email.length() > 320 || !email.contains("@"))) {
            throw ProblemException.invalid("email", "email must be an address such as person@example.com");
        }
        User u = new User(Ids.id("usr"), username, email, true, password != null, 0, null, "local", Instant.now());
        repo.insertUser(u, password == null ? null : passwords.encode(password));
        changed();
        return user(u.id());
    }

    /** A user who signs in elsewhere (SSO) or is provisioned (SCIM): no password, their source named. */
    @Transactional
    public User createExternalUser(String username, String email, String source) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ProblemException.invalid("username", "username is required: 1-128 letters, digits and . _ @ + - (starting with a letter or digit)");
        }
        if (repo.userByUsername(username).isPresent()) {
            throw ProblemException.conflict("username", "a user named '" + username + "' already exists");
        }
        User u = new User(Ids.id("usr"), username, email, true, false, 0, null, source, Instant.now());
        repo.insertUser(u, null);
        changed();
        return user(u.id());
    }

    @Transactional
    public User updateUser(String id, String email, Boolean enabled, String password) {
        User u = user(id);
        if (password != null) {
            checkPassword(password);
            repo.setPassword(id, passwords.encode(password));
        }
        repo.updateUser(id, email != null ? email : u.email(), enabled != null ? enabled : u.enabled());
        if (u.enabled() && Boolean.FALSE.equals(enabled)) {
            catalog.deleteConnectionsOfUser(id);
            changed();
            events.publishEvent(new UserDisabled(id));
            return user(id);
        }
        changed();
        return user(id);
    }

    /** The password hash (bcrypt) reads at most 72 bytes: a longer password is refused, never cut silently. */
    private static void checkPassword(String password) {
        if (password.length() < MIN_PASSWORD) {
            throw ProblemException.invalid("password", "password must be at least " + MIN_PASSWORD + " characters");
        }
        if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw ProblemException.invalid("password", "password must be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8 (72 ASCII characters)");
        }
    }

    /** Sets a password without the minimum length (the operator's bootstrap password is theirs to choose). */
    @Transactional
    public void resetPassword(String id, String password) {
        if (password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new IllegalArgumentException("the password must be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
        }
        repo.setPassword(id, passwords.encode(password));
    }

    public boolean passwordMatches(String userId, String password) {
        return repo.passwordHash(userId).map(h -> passwords.matches(password, h)).orElse(false);
    }

    @Transactional
    public void deleteUser(String id) {
        user(id);
        catalog.deleteConnectionsOfUser(id);
        repo.deleteUser(id);
        changed();
        events.publishEvent(new UserDeleted(id));
    }

    /** Counts one sign-in attempt before its password is checked; false when the account is locked or out of attempts. */
    boolean reserveAttempt(String id, Instant now, int maxFailures) {
        return repo.reserveAttempt(id, now, maxFailures);
    }

    /** Locks the account when its attempts are used up; true for the one failure that locked it. */
    boolean lockIfExhausted(String id, int maxFailures, Instant lockedUntil) {
        return repo.lockIfExhausted(id, maxFailures, lockedUntil);
    }

    void clearFailures(String id) {
        repo.clearFailures(id);
    }

    // --- teams

    public List<Team> teams() {
        return repo.teams();
    }

    public Team team(String id) {
        return repo.teams().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow(() -> ProblemException.notFound("team", id));
    }

    @Transactional
    public Team createTeam(String name) {
        if (name == null || name.isBlank() || name.length() > 128) {
            throw ProblemException.invalid("name", "name is required (at most 128 characters)");
        }
        if (repo.teams().stream().anyMatch(t -> t.name().equals(name))) {
            throw ProblemException.conflict("name", "a team named '" + name + "' already exists");
        }
        String id = Ids.id("team");
        repo.insertTeam(id, name, Instant.now());
        changed();
        return team(id);
    }

    @Transactional
    public void deleteTeam(String id) {
        if (!repo.deleteTeam(id)) {
            throw ProblemException.notFound("team", id);
        }
        changed();
    }

    @Transactional
    public Team addMember(String teamId, String userId) {
        Team team = team(teamId);
        user(userId);
        repo.addMember(teamId, userId);
        changed();
        accessChanged(team);
        return team(teamId);
    }

    @Transactional
    public void removeMember(String teamId, String userId) {
        Team team = team(teamId);
        if (!repo.removeMember(teamId, userId)) {
            throw ProblemException.notFound("membership", teamId + "/" + userId);
        }
        changed();
        accessChanged(team);
    }

    /** A membership of {@code team} changed: what its members see of the gateways it holds may have. */
    private void accessChanged(Team team) {
        if (!team.gatewayIds().isEmpty()) {
            events.publishEvent(new AccessChanged(Set.copyOf(team.gatewayIds())));
        }
    }

    /**
     * Lets the team's members connect to the gateway: to every tool ({@code tools} null) or only to
     * these exposed tool names.
     */
    @Transactional
    public Team grantGateway(String gatewayId, String teamId, List<String> tools) {
        return grantGateway(gatewayId, teamId, tools, null, null);
    }

    /**
     * Lets the team's members connect to the gateway, seeing of each kind every feature (null) or
     * only these: exposed tool and prompt names, resource URIs or URI templates. Sessions of the
     * gateway hear that their lists changed.
     */
    @Transactional
    public Team grantGateway(String gatewayId, String teamId, List<String> tools, List<String> prompts, List<String> resources) {
        catalog.gateway(gatewayId);
        team(teamId);
        tools = names("tools", tools, 256, "exposed tool names");
        prompts = names("prompts", prompts, 256, "exposed prompt names");
        resources = names("resources", resources, 2048, "resource URIs or URI templates");
        repo.putHolding(gatewayId, teamId, tools, prompts, resources);
        changed();
        events.publishEvent(new AccessChanged(Set.of(gatewayId)));
        return team(teamId);
    }

    private static List<String> names(String field, List<String> names, int max, String what) {
        if (names == null) {
            return null;
        }
        for (String t : names) {
            if (t == null || t.isBlank() || t.length() > max) {
                throw ProblemException.invalid(field, field + " is a list of " + what + " (1-" + max + " characters each)");
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(names));
    }

    public Team grantGateway(String gatewayId, String teamId) {
        return grantGateway(gatewayId, teamId, null);
    }

    @Transactional
    public void revokeGateway(String gatewayId, String teamId) {
        if (!repo.removeHolding(gatewayId, teamId)) {
            throw ProblemException.notFound("gateway team", gatewayId + "/" + teamId);
        }
        changed();
    }

    public List<Team> teamsOfGateway(String gatewayId) {
        catalog.gateway(gatewayId);
        return teams().stream().filter(t -> t.gatewayIds().contains(gatewayId)).toList();
    }
}
