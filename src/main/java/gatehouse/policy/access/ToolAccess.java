package gatehouse.policy.access;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which tools of a gateway a caller may use, decided once for lists and calls alike so a list never
 * shows what a call would refuse. A team that holds the gateway either sees every tool (no subset)
 * or only its subset of exposed names; a person sees the union over their teams that hold it. An
 * API-token connection has no person and no teams: it is bound to its gateway by an administrator
 * and sees every tool.
 */
public sealed interface ToolAccess {

    boolean allows(String exposedName);

    /** Every tool the gateway exposes. */
    record All() implements ToolAccess {
        @Override
        public boolean allows(String exposedName) {
            return true;
        }
    }

    /** Only these exposed names. */
    record Only(Set<String> names) implements ToolAccess {
        public Only {
            names = Set.copyOf(names);
        }

        @Override
        public boolean allows(String exposedName) {
            return names.contains(exposedName);
        }
    }

    All ALL = new All();

    /**
     * @param userTeams       the caller's teams (null for an API-token connection)
     * @param subsetsByTeam   for each team holding the gateway, its tool subset, or null for every tool
     */
    static ToolAccess decide(Collection<String> userTeams, Map<String, Set<String>> subsetsByTeam) {
        if (userTeams == null) {
            return ALL;
        }
        Set<String> union = new HashSet<>();
        for (String team : userTeams) {
            if (!subsetsByTeam.containsKey(team)) {
                continue;
            }
            Set<String> subset = subsetsByTeam.get(team);
            if (subset == null) {
                return ALL;
            }
            union.addAll(subset);
        }
        return new Only(union);
    }
}
