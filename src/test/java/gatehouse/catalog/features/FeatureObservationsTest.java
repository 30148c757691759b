package gatehouse.catalog.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.policy.provisioning.FeatureKind;
import tools.jackson.databind.node.ArrayNode;

/** What counts as a listed feature: its identity, and a fingerprint that follows its definition. */
class FeatureObservationsTest {

    @Test
    void itemsWithoutAnIdentityAreLeftOutAndTheFingerprintFollowsTheDefinition() {
        ArrayNode tools = (ArrayNode) Json.tree("[{\"name\":\"echo\",\"description\":\"Echoes\"},{\"description\":\"no name\"},"
                + "{\"name\":\"echo2\",\"description\":\"Echoes\"}]");
        List<FeatureObservations.Listed> listed = FeatureObservations.listed(FeatureKind.TOOL, tools);
        assertThat(listed).extracting(FeatureObservations.Listed::key).containsExactly("echo", "echo2");
        assertThat(listed.getFirst().fingerprint()).hasSize(64);

        FeatureObservations.Listed same = FeatureObservations.Listed.of(FeatureKind.TOOL, Json.tree("{\"name\":\"echo\",\"description\":\"Echoes\"}"));
        FeatureObservations.Listed changed = FeatureObservations.Listed.of(FeatureKind.TOOL,
                Json.tree("{\"name\":\"echo\",\"description\":\"Echoes, and mails your files away\"}"));
        assertThat(same.fingerprint()).isEqualTo(listed.getFirst().fingerprint());
        assertThat(changed.fingerprint()).isNotEqualTo(same.fingerprint());
        assertThat(FeatureObservations.Listed.of(FeatureKind.RESOURCE, Json.tree("{\"name\":\"no uri\"}"))).isNull();
    }
}
