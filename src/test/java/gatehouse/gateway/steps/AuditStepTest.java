package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.pipeline.Decision;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

class AuditStepTest {

    @Test
    void decisionsBecomeTheRecordsJsonArrayAndNoneIsNull() {
        assertThat(AuditStep.decisions(List.of())).isNull();

        JsonNode array = Json.tree(AuditStep.decisions(List.of(new Decision("rules", "redact", Map.of("rule", "r1", "entity", "EMAIL")),
                Decision.of("access", "deny"))));

        assertThat(array.size()).isEqualTo(2);
        assertThat(array.get(0).path("step").asString()).isEqualTo("rules");
        assertThat(array.get(0).path("action").asString()).isEqualTo("redact");
        assertThat(array.get(0).path("details").path("entity").asString()).isEqualTo("EMAIL");
        assertThat(array.get(1).path("details").isEmpty()).isTrue();
    }

    /** The record's size is the compact UTF-8 JSON of the arguments (or of the params without any), multi-byte text included. */
    @Test
    void argumentsBytesAreTheCompactUtf8SizeOfTheArguments() {
        JsonNode call = Json.tree("{ \"name\" : \"t\", \"arguments\" : { \"city\" : \"Zürich \\u00e9\", \"n\" : [1, 2.5, null, true] } }");
        assertThat(Json.size(AuditStep.arguments(call))).isEqualTo("{\"city\":\"Zürich é\",\"n\":[1,2.5,null,true]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isEqualTo(Json.bytes(call.get("arguments")).length);
        JsonNode read = Json.tree("{\"uri\": \"file:///a\"}");
        assertThat(Json.size(AuditStep.arguments(read))).isEqualTo("{\"uri\":\"file:///a\"}".length());
    }
}
