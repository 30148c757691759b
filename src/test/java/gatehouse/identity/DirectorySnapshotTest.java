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
}
