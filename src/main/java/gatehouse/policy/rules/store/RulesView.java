package gatehouse.policy.rules.store;

import java.util.List;
import java.util.Map;

import gatehouse.policy.rules.CompiledRule;

/**
 * Every gateway's compiled rules at one moment, immutable: the data plane reads it per message
 * with one map look-up and no database access.
 */
public record RulesView(Map<String, List<CompiledRule>> byGateway, long version) {
    public RulesView {
        byGateway = Map.copyOf(byGateway);
    }

    public static final RulesView EMPTY = new RulesView(Map.of(), 0);

    /** The gateway's rules in evaluation order; empty when it has none. */
    public List<CompiledRule> rules(String gatewayId) {
        return byGateway.getOrDefault(gatewayId, List.of());
    }
}
