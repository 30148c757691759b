package gatehouse.policy.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class AdminPolicyTest {
    private static final Target GW_A = new Target.Gateway("gw_a", Set.of("team_a"));
    private static final Target GW_B = new Target.Gateway("gw_b", Set.of("team_b"));

    @Test
    void aGlobalGrantReachesEverything() {
        List<Grant> g = List.of(new Grant("auditor", Set.of(Permission.GATEWAY_READ, Permission.GATEWAY_LOGS), Scope.GLOBAL));
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_READ, GW_A)).isTrue();
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_LOGS, Target.EVERYTHING)).isTrue();
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_MANAGE, GW_A)).isFalse();
        assertThat(AdminPolicy.isAdmin(g)).isFalse();
    }

    @Test
    void aGatewayGrantReachesOnlyThatGateway() {
        List<Grant> g = List.of(new Grant("gateway-admin", Set.of(Permission.GATEWAY_MANAGE), new Scope.OnGateway("gw_a")));
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_MANAGE, GW_A)).isTrue();
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_MANAGE, GW_B)).isFalse();
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_MANAGE, Target.EVERYTHING)).isFalse();
        assertThat(AdminPolicy.allows(g, Permission.TEAM_MANAGE, new Target.Team("team_a"))).isFalse();
        assertThat(AdminPolicy.allowsSomewhere(g, Permission.GATEWAY_MANAGE)).isTrue();
        assertThat(AdminPolicy.allowsSomewhere(g, Permission.GATEWAY_LOGS)).isFalse();
    }

    @Test
    void aTeamGrantReachesTheTeamAndTheGatewaysItHolds() {
        List<Grant> g = List.of(new Grant("lead", Set.of(Permission.TEAM_MANAGE, Permission.GATEWAY_PROVISION), new Scope.OnTeam("team_a")));
        assertThat(AdminPolicy.allows(g, Permission.TEAM_MANAGE, new Target.Team("team_a"))).isTrue();
        assertThat(AdminPolicy.allows(g, Permission.TEAM_MANAGE, new Target.Team("team_b"))).isFalse();
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_PROVISION, GW_A)).isTrue();
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_PROVISION, GW_B)).isFalse();
        assertThat(AdminPolicy.allows(g, Permission.GATEWAY_RULES, GW_A)).as("not a permission the role has").isFalse();
    }

    @Test
    void adminImpliesEveryPermissionButOnlyInItsScope() {
        List<Grant> scoped = List.of(new Grant("custom", Set.of(Permission.ADMIN), new Scope.OnGateway("gw_a")));
        assertThat(AdminPolicy.allows(scoped, Permission.GATEWAY_RULES, GW_A)).isTrue();
        assertThat(AdminPolicy.allows(scoped, Permission.USER_MANAGE, Target.EVERYTHING)).isFalse();
        assertThat(AdminPolicy.isAdmin(scoped)).isFalse();
        List<Grant> global = List.of(new Grant("owner", Set.of(Permission.ADMIN), Scope.GLOBAL));
        for (Permission p : Permission.values()) {
            assertThat(AdminPolicy.allows(global, p, Target.EVERYTHING)).isTrue();
        }
        assertThat(AdminPolicy.isAdmin(global)).isTrue();
    }

    @Test
    void noGrantsAllowNothing() {
        for (Permission p : Permission.values()) {
            assertThat(AdminPolicy.allows(List.of(), p, GW_A)).isFalse();
            assertThat(AdminPolicy.allowsSomewhere(List.of(), p)).isFalse();
        }
    }
}
