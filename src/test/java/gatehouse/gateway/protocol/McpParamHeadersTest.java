package gatehouse.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

class McpParamHeadersTest {
    private static final JsonNode SCHEMA = Json.tree("""
            {"type":"object","properties":{
              "region":{"type":"string","x-mcp-header":"Region"},
              "priority":{"type":"integer","x-mcp-header":"Priority"},
              "urgent":{"type":"boolean","x-mcp-header":"Urgent"},
              "nested":{"type":"object","properties":{"id":{"type":"string","x-mcp-header":"Id"}}},
              "list":{"type":"array","items":{"type":"string","x-mcp-header":"Nope"}},
              "bad":{"type":"string","x-mcp-header":"has space"}}}""");

    private static final List<McpParamHeaders.Declaration> DECLARATIONS = McpParamHeaders.scan(SCHEMA);

    @Test
    void onlyDeclarationsReachableThroughPropertiesWithAValidNameCount() {
        assertThat(DECLARATIONS).extracting(McpParamHeaders.Declaration::name).containsExactly("Region", "Priority", "Urgent", "Id");
        assertThat(DECLARATIONS.get(3).path()).containsExactly("nested", "id");
    }

    @Test
    void headersMirrorTheArgumentsEncodedWhereNeeded() {
        Map<String, String> h = McpParamHeaders.headers(DECLARATIONS,
                Json.tree("{\"region\":\"eu west ü\",\"priority\":3,\"urgent\":true,\"nested\":{\"id\":\"x1\"}}"));
        assertThat(h).containsEntry("Mcp-Param-Priority", "3").containsEntry("Mcp-Param-Urgent", "true")
                .containsEntry("Mcp-Param-Id", "x1");
        assertThat(StatelessEnvelope.decodeHeaderValue(h.get("Mcp-Param-Region"))).isEqualTo("eu west ü");
        assertThat(McpParamHeaders.headers(DECLARATIONS, Json.tree("{\"region\":null}"))).isEmpty();
    }

    @Test
    void checksHeadersAgainstTheBody() {
        JsonNode args = Json.tree("{\"region\":\"Hello\",\"priority\":3}");
        Map<String, String> ok = Map.of("Mcp-Param-Region", "=?base64?SGVsbG8=?=", "Mcp-Param-Priority", "3.0");
        assertThat(McpParamHeaders.check(DECLARATIONS, args, ok::get)).isNull();
        assertThat(McpParamHeaders.check(DECLARATIONS, args, Map.of("Mcp-Param-Priority", "3")::get)).contains("missing");
        assertThat(McpParamHeaders.check(DECLARATIONS, args, Map.of("Mcp-Param-Region", "=?base64?SGVsbG8?=",
                "Mcp-Param-Priority", "3")::get)).contains("invalid");
        assertThat(McpParamHeaders.check(DECLARATIONS, args, Map.of("Mcp-Param-Region", "Bye", "Mcp-Param-Priority", "3")::get))
                .contains("disagrees");
        assertThat(McpParamHeaders.check(DECLARATIONS, args, Map.of("Mcp-Param-Region", "Hello", "Mcp-Param-Priority", "3",
                "Mcp-Param-Urgent", "true")::get)).contains("no matching argument");
        // A value that merely looks encoded but lacks the suffix is literal.
        JsonNode literal = Json.tree("{\"region\":\"=?base64?SGVsbG8=\"}");
        assertThat(McpParamHeaders.check(DECLARATIONS, literal, Map.of("Mcp-Param-Region", "=?base64?SGVsbG8=")::get)).isNull();
    }
}
