package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import gatehouse.policy.access.Subsets;
import gatehouse.policy.access.ToolAccess;

/** Who holds which gateway: through a team, or as an administrator, who holds every gateway. */
class DirectorySnapshotTest {
    private final DirectorySnapshot snapshot = new DirectorySnapshot(
            Set.of("u_member", "u_admin"),
            Map.of("u_member", Set.of("gw_team")),
            Map.of("u_member", Set.of("t_1")),
            Map.of("gw_team", Map.of("t_1", new Subsets(Set.of("ev__echo"), null, null))),
            Set.of("u_admin", "u_disabled_admin"));

    @Test
    void aMemberHoldsOnlyWhatTheirTeamsHoldAndSeesTheTeamsSubset() {
        assertThat(snapshot.holds("u_member", "gw_team")).isTrue();
        assertThat(snapshot.holds("u_member", "gw_other")).isFalse();
        assertThat(snapshot.holdsEvery("u_member")).isFalse();
        assertThat(snapshot.toolAccess("u_member", "gw_team")).isNotEqualTo(ToolAccess.ALL);
    }

    @Test
    void anAdministratorHoldsEveryGatewayWithEveryTool() {
        assertThat(snapshot.holds("u_admin", "gw_team")).isTrue();
        assertThat(snapshot.holds("u_admin", "gw_any")).isTrue();
        assertThat(snapshot.holdsEvery("u_admin")).isTrue();
        assertThat(snapshot.toolAccess("u_admin", "gw_team")).isEqualTo(ToolAccess.ALL);
    }

    @Test
    void aDisabledAdministratorHoldsNothing() {
        assertThat(snapshot.holds("u_disabled_admin", "gw_team")).isFalse();
        assertThat(snapshot.holdsEvery("u_disabled_admin")).isFalse();
    }

    /** What another replica changed, seen at the next reload: which gateways' people see something else now. */
    @Test
    void theGatewaysSeenDifferentlyAreThoseWhoseSubsetsOrPeopleChanged() {
        DirectorySnapshot same = new DirectorySnapshot(Set.of("u_member", "u_admin"), Map.of("u_member", Set.of("gw_team")),
                Map.of("u_member", Set.of("t_1")), Map.of("gw_team", Map.of("t_1", new Subsets(Set.of("ev__echo"), null, null))),
                Set.of("u_admin"));
        assertThat(DirectorySnapshot.gatewaysSeenDifferently(snapshot, same)).as("nothing a person sees changed").isEmpty();

        DirectorySnapshot otherTools = new DirectorySnapshot(Set.of("u_member"), Map.of("u_member", Set.of("gw_team")),
                Map.of("u_member", Set.of("t_1")), Map.of("gw_team", Map.of("t_1", new Subsets(Set.of("ev__add"), null, null))));
        assertThat(DirectorySnapshot.gatewaysSeenDifferently(snapshot, otherTools)).containsExactly("gw_team");

        DirectorySnapshot newMember = new DirectorySnapshot(Set.of("u_member", "u_new"),
                Map.of("u_member", Set.of("gw_team"), "u_new", Set.of("gw_team")),
                Map.of("u_member", Set.of("t_1"), "u_new", Set.of("t_1")),
                Map.of("gw_team", Map.of("t_1", new Subsets(Set.of("ev__echo"), null, null))));
        assertThat(DirectorySnapshot.gatewaysSeenDifferently(snapshot, newMember)).containsExactly("gw_team");

        DirectorySnapshot movedTeam = new DirectorySnapshot(Set.of("u_member"), Map.of("u_member", Set.of("gw_team")),
                Map.of("u_member", Set.of("t_2")), Map.of("gw_team", Map.of("t_1", new Subsets(Set.of("ev__echo"), null, null),
                "t_2", new Subsets(Set.of("ev__echo"), null, null))));
        assertThat(DirectorySnapshot.gatewaysSeenDifferently(snapshot, movedTeam)).as("a new holding team, and a move between teams")
                .containsExactly("gw_team");

        DirectorySnapshot released = new DirectorySnapshot(Set.of("u_member"), Map.of("u_member", Set.of("gw_new")),
                Map.of("u_member", Set.of("t_1")), Map.of("gw_new", Map.of("t_1", Subsets.EVERYTHING)));
        assertThat(DirectorySnapshot.gatewaysSeenDifferently(snapshot, released)).containsExactly("gw_new", "gw_team");
    }
}
