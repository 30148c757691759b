package gatehouse.policy.access;

import java.util.Set;

/** What an administrative action touches, as far as scoping is concerned. */
public sealed interface Target {

    /** Something that belongs to no gateway or team (servers, hosts, users, roles, tokens). */
    record Everything() implements Target {
    }

    /** A gateway, with the teams that hold it (a team-scoped grant reaches those gateways). */
    record Gateway(String gatewayId, Set<String> holdingTeams) implements Target {
        public Gateway {
            holdingTeams = Set.copyOf(holdingTeams);
        }
    }

    record Team(String teamId) implements Target {
    }

    Everything EVERYTHING = new Everything();
}
