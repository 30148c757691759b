package gatehouse.policy.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ToolAccessTest {

    private static Map<String, Set<String>> subsets(Object... teamAndTools) {
        Map<String, Set<String>> m = new HashMap<>();
        for (int i = 0; i < teamAndTools.length; i += 2) {
            @SuppressWarnings("unchecked")
            Set<String> tools = (Set<String>) teamAndTools[i + 1];
            m.put((String) teamAndTools[i], tools);
        }
        return m;
    }

    @Test
    void aTeamWithoutASubsetSeesEveryTool() {
        ToolAccess a = ToolAccess.decide(List.of("t1"), subsets("t1", null));
        assertThat(a).isEqualTo(ToolAccess.ALL);
        assertThat(a.allows("anything")).isTrue();
    }

    @Test
    void aSubsetLimitsTheTeamToThoseNames() {
        ToolAccess a = ToolAccess.decide(List.of("t1"), subsets("t1", Set.of("fs__read")));
        assertThat(a.allows("fs__read")).isTrue();
        assertThat(a.allows("fs__write")).isFalse();
    }

    @Test
    void aPersonSeesTheUnionOfTheirTeamsThatHoldTheGateway() {
        Map<String, Set<String>> s = subsets("t1", Set.of("a"), "t2", Set.of("b"));
        ToolAccess both = ToolAccess.decide(List.of("t1", "t2", "t3"), s);
        assertThat(both.allows("a")).isTrue();
        assertThat(both.allows("b")).isTrue();
        assertThat(both.allows("c")).isFalse();
        s.put("t3", null);
        assertThat(ToolAccess.decide(List.of("t1", "t3"), s)).as("one team with every tool gives every tool").isEqualTo(ToolAccess.ALL);
    }

    @Test
    void teamsThatDoNotHoldTheGatewayGiveNothing() {
        ToolAccess a = ToolAccess.decide(List.of("other"), subsets("t1", null));
        assertThat(a.allows("a")).isFalse();
    }

    @Test
    void anApiTokenConnectionSeesEveryTool() {
        assertThat(ToolAccess.decide(null, subsets("t1", Set.of("a")))).isEqualTo(ToolAccess.ALL);
    }
}
