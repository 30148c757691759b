package gatehouse.identity;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import gatehouse.policy.access.Subsets;
import gatehouse.policy.access.ToolAccess;

/**
 * What the data plane needs to know about people, read without touching the database: which users
 * may sign in at all, which gateways each user's teams hold, each user's teams, and each gateway's
 * per-team subsets of tools, prompts and resources.
 *
 * @param teamsByUser      every team a user belongs to
 * @param subsetsByGateway for each gateway, its holding teams and what each sees of it
 * @param administrators   users granted a role with the {@code admin} permission without a scope
 *                         (the bootstrap user among them): they may connect to every gateway and
 *                         see all of it, so a first sign-in needs no team set-up
 */
public record DirectorySnapshot(Set<String> enabledUsers, Map<String, Set<String>> gatewaysByUser,
                                Map<String, Set<String>> teamsByUser, Map<String, Map<String, Subsets>> subsetsByGateway,
                                Set<String> administrators) {

    public DirectorySnapshot(Set<String> enabledUsers, Map<String, Set<String>> gatewaysByUser,
                             Map<String, Set<String>> teamsByUser, Map<String, Map<String, Subsets>> subsetsByGateway) {
        this(enabledUsers, gatewaysByUser, teamsByUser, subsetsByGateway, Set.of());
    }

    /** A snapshot whose teams have tool subsets only ({@code null}: every tool), as tests write them. */
    public static DirectorySnapshot withToolSubsets(Set<String> enabledUsers, Map<String, Set<String>> gatewaysByUser,
                                                    Map<String, Set<String>> teamsByUser,
                                                    Map<String, Map<String, Set<String>>> toolSubsets) {
        Map<String, Map<String, Subsets>> subsets = new HashMap<>();
        toolSubsets.forEach((gateway, teams) -> {
            Map<String, Subsets> byTeam = new HashMap<>();
            teams.forEach((team, tools) -> byTeam.put(team, new Subsets(tools, null, null)));
            subsets.put(gateway, Map.copyOf(byTeam));
        });
        return new DirectorySnapshot(enabledUsers, gatewaysByUser, teamsByUser, Map.copyOf(subsets));
    }

    /** True when the user exists, is enabled, and is an administrator or one of their teams holds the gateway. */
    public boolean holds(String userId, String gatewayId) {
        return enabledUsers.contains(userId)
                && (administrators.contains(userId) || gatewaysByUser.getOrDefault(userId, Set.of()).contains(gatewayId));
    }

    /** True for an enabled administrator, who holds every gateway there is. */
    public boolean holdsEvery(String userId) {
        return enabledUsers.contains(userId) && administrators.contains(userId);
    }

    /** The gateways the user's teams hold (an administrator holds every gateway besides: see {@link #holdsEvery}). */
    public Set<String> gatewaysOf(String userId) {
        return enabledUsers.contains(userId) ? gatewaysByUser.getOrDefault(userId, Set.of()) : Set.of();
    }

    /** The tools of a gateway this caller may list and call (see {@link #access}). */
    public ToolAccess toolAccess(String userId, String gatewayId) {
        return access(userId, gatewayId, "tools");
    }

    /**
     * The features of {@code kind} ({@code tools}, {@code prompts}, {@code resources}) of a gateway
     * this caller may list and use: a person's union over their teams that hold it; an API-token
     * connection (no user) and an administrator every one.
     */
    public ToolAccess access(String userId, String gatewayId, String kind) {
        if (userId == null || administrators.contains(userId)) {
            return ToolAccess.ALL;
        }
        Map<String, Subsets> holders = subsetsByGateway.getOrDefault(gatewayId, Map.of());
        Map<String, Set<String>> ofKind = new HashMap<>();
        holders.forEach((team, s) -> ofKind.put(team, s.of(kind)));
        return ToolAccess.decide(teamsByUser.getOrDefault(userId, Set.of()), Collections.unmodifiableMap(ofKind));
    }

    /**
     * The gateways that some person sees differently in {@code after} than in {@code before}: a
     * holding team's subsets changed, or the people holding the gateway did (memberships, holdings,
     * enabled accounts). A change to who administers Gatehouse is not counted: it is rare, and an
     * administrator's next list shows it.
     */
    public static Set<String> gatewaysSeenDifferently(DirectorySnapshot before, DirectorySnapshot after) {
        Set<String> changed = new java.util.TreeSet<>();
        Set<String> gateways = new java.util.HashSet<>(before.subsetsByGateway().keySet());
        gateways.addAll(after.subsetsByGateway().keySet());
        for (String g : gateways) {
            if (!java.util.Objects.equals(before.subsetsByGateway().get(g), after.subsetsByGateway().get(g))) {
                changed.add(g);
            }
        }
        Map<String, Set<String>> peopleBefore = peopleByGateway(before);
        Map<String, Set<String>> peopleAfter = peopleByGateway(after);
        Set<String> held = new java.util.HashSet<>(peopleBefore.keySet());
        held.addAll(peopleAfter.keySet());
        for (String g : held) {
            if (!peopleBefore.getOrDefault(g, Set.of()).equals(peopleAfter.getOrDefault(g, Set.of()))) {
                changed.add(g);
            }
        }
        return Collections.unmodifiableSet(changed);
    }

    /** For each gateway, the enabled people who hold it, each with the team they hold it through ({@code user/team}). */
    private static Map<String, Set<String>> peopleByGateway(DirectorySnapshot s) {
        Map<String, Set<String>> out = new HashMap<>();
        s.gatewaysByUser().forEach((user, gateways) -> {
            if (!s.enabledUsers().contains(user)) {
                return;
            }
            for (String g : gateways) {
                Set<String> through = out.computeIfAbsent(g, k -> new java.util.HashSet<>());
                for (String team : s.teamsByUser().getOrDefault(user, Set.of())) {
                    if (s.subsetsByGateway().getOrDefault(g, Map.of()).containsKey(team)) {
                        through.add(user + "/" + team);
                    }
                }
            }
        });
        return out;
    }
}
