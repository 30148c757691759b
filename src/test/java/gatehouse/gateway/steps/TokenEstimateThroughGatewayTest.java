package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Through the real gateway in front of the conformance fixture: a call whose arguments and echoed
 * result are longer than {@code gatehouse.audit.exact-token-chars} (4096 by default) is logged with
 * {@code tokensEstimated: true}, a short one with {@code false}, in the JSON page, the JSON Lines
 * export and the CSV export alike.
 */
class TokenEstimateThroughGatewayTest extends GatewayTestSupport {
    private RunningFixture fixture;
    private String gateway;

    @BeforeAll
    void setUp() throws Exception {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        String server = admin.createHttpServer(unique("tokens-fixture"), "streamable-http", fixture.url().toString());
        gateway = admin.createGateway(unique("tokens-gw"));
        admin.assign(gateway, server, "fx");
    }

    @AfterAll
    void tearDown() throws Exception {
        fixture.close();
    }

    private static ObjectNode note(String text) {
        ObjectNode args = Json.object();
        args.put("note", text);
        return args;
    }

    @Test
    void aLongTextsCountIsMarkedAsAnEstimateAndAShortOnesIsNot() {
        McpTestClient c = client(admin.connect(gateway));
        c.initialize(McpTestClient.capabilities());
        String word = "gateway ";
        String longText = word.repeat(6000 / word.length()); // 6,000 characters: over the 4,096 bound
        assertThat(c.callTool("fx__test_echo_request", note("short and exact")).result()).isNotNull();
        assertThat(c.callTool("fx__test_echo_request", note(longText)).result()).isNotNull();

        List<ObjectNode> calls = awaitLogs("gateway=" + gateway + "&method=tools/call", 2);
        ObjectNode longOne = calls.get(0); // newest first
        ObjectNode shortOne = calls.get(1);
        assertThat(longOne.path("argumentsBytes").asInt()).isGreaterThan(6000);
        assertThat(longOne.path("tokensEstimated").isBoolean()).isTrue();
        assertThat(longOne.path("tokensEstimated").asBoolean()).isTrue();
        // 750 repeats of one word: an estimate of some hundreds of tokens, not of the 6,000 characters
        assertThat(longOne.path("inputTokens").asInt()).isGreaterThan(500);
        assertThat(shortOne.path("tokensEstimated").isBoolean()).isTrue();
        assertThat(shortOne.path("tokensEstimated").asBoolean()).isFalse();
        assertThat(shortOne.path("inputTokens").asInt()).isPositive();

        AdminClient.Answer jsonl = admin.send("GET", "/logs?gateway=" + gateway + "&method=tools/call&format=jsonl", null);
        List<JsonNode> lines = jsonl.text().lines().map(Json::tree).toList();
        assertThat(lines).extracting(l -> l.path("tokensEstimated").asBoolean()).containsExactly(true, false);

        AdminClient.Answer csv = admin.send("GET", "/logs?gateway=" + gateway + "&method=tools/call&format=csv", null);
        List<String> rows = csv.text().lines().toList();
        List<String> header = List.of(rows.getFirst().split(","));
        int column = header.indexOf("tokensEstimated");
        assertThat(column).isEqualTo(header.size() - 1); // appended: the earlier columns keep their places
        assertThat(rows.subList(1, rows.size())).extracting(r -> r.substring(r.lastIndexOf(',') + 1)).containsExactly("true", "false");
    }
}
