package gatehouse.catalog.features;

import java.util.List;

import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.ProvisioningSettings;

/** What a gateway's admin view shows about provisioning: its settings, its tool budget, and any warnings. */
public record ProvisioningSummary(Settings provisioning, ToolBudgets.ToolBudget toolBudget, List<Warning> warnings) {

    /** The settings as the admin API reads and writes them. */
    public record Settings(String tools, String prompts, String resources, String resourceTemplates, boolean autoApprove,
                           boolean approveOnAssign, int toolBudget, boolean toolBudgetIsDefault) {
        public static Settings of(ProvisioningSettings s, int defaultBudget) {
            return new Settings(s.policy(FeatureKind.TOOL).wire(), s.policy(FeatureKind.PROMPT).wire(), s.policy(FeatureKind.RESOURCE).wire(),
                    s.policy(FeatureKind.RESOURCE_TEMPLATE).wire(), s.autoApprove(), s.approveOnAssign(),
                    s.toolBudget() != null ? s.toolBudget() : defaultBudget, s.toolBudget() == null);
        }
    }

    /** Something an administrator should fix; {@code type} is the alert type it also raises. */
    public record Warning(String type, String message) {
    }
}
