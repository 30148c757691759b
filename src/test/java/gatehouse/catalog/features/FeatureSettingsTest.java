package gatehouse.catalog.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.policy.provisioning.FeatureKind;

/** How a settings change is read from a request body, and which kind names are accepted. */
class FeatureSettingsTest {

    @Test
    void aChangeIsReadAtTheTopLevelOrUnderProvisioning() {
        FeatureSettings.SettingsChange top = FeatureSettings.SettingsChange.from(
                Json.tree("{\"tools\":\"allow-selected\",\"autoApprove\":true,\"toolBudget\":12}"), true);
        assertThat(top.policies()).isEqualTo(Map.of("tools", "allow-selected"));
        assertThat(top.autoApprove()).isTrue();
        assertThat(top.approveOnAssign()).isNull();
        assertThat(top.toolBudget().asInt()).isEqualTo(12);

        FeatureSettings.SettingsChange nested = FeatureSettings.SettingsChange.from(
                Json.tree("{\"name\":\"kept for the caller\",\"provisioning\":{\"prompt\":\"block-all\",\"approveOnAssign\":false}}"), false);
        assertThat(nested.policies()).isEqualTo(Map.of("prompts", "block-all"));
        assertThat(nested.approveOnAssign()).isFalse();
        assertThat(FeatureSettings.SettingsChange.from(null, true).isEmpty()).isTrue();
    }

    @Test
    void badChangesAreRefusedNamingTheMember() {
        assertThatThrownBy(() -> FeatureSettings.SettingsChange.from(Json.tree("{\"name\":\"x\"}"), true))
                .isInstanceOf(ProblemException.class).hasMessageContaining("unknown member 'name'");
        assertThatThrownBy(() -> FeatureSettings.SettingsChange.from(Json.tree("{\"tools\":\"sometimes\"}"), true))
                .isInstanceOf(ProblemException.class);
        assertThatThrownBy(() -> FeatureSettings.SettingsChange.from(Json.tree("{\"autoApprove\":\"yes\"}"), true))
                .isInstanceOf(ProblemException.class).hasMessageContaining("autoApprove must be true or false");
        assertThatThrownBy(() -> FeatureSettings.SettingsChange.from(Json.tree("{\"provisioning\":{\"provisioning\":{}}}"), true))
                .isInstanceOf(ProblemException.class).hasMessageContaining("cannot be nested");
        assertThatThrownBy(() -> FeatureSettings.SettingsChange.from(Json.tree("[1]"), true))
                .isInstanceOf(ProblemException.class).hasMessageContaining("JSON object");
    }

    @Test
    void kindsAreAcceptedByListKeyWireNameOrPlural() {
        assertThat(FeatureSettings.kindOf("tools")).isEqualTo(FeatureKind.TOOL);
        assertThat(FeatureSettings.kindOf("tool")).isEqualTo(FeatureKind.TOOL);
        assertThat(FeatureSettings.kindOf("resourceTemplates")).isEqualTo(FeatureKind.RESOURCE_TEMPLATE);
        assertThat(FeatureSettings.kindOf("resource-templates")).isEqualTo(FeatureKind.RESOURCE_TEMPLATE);
        assertThatThrownBy(() -> FeatureSettings.kindOf("widgets")).isInstanceOf(ProblemException.class)
                .hasMessageContaining("unknown feature kind 'widgets'");
    }
}
