package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

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
import tools.jackson.databind.node.ObjectNode;

/**
 * Content rules through the real gateway (2025 session generation) in front of the conformance
 * fixture over Streamable HTTP: a request redacted before the upstream sees it, a request blocked,
 * a result rewritten, and a sampling round trip in which the server's request to the client and
 * the client's answer to the server are each judged by the way they travel.
 */
class RulesThroughGatewayTest extends GatewayTestSupport {
    private RunningFixture fixture;
    private String gateway;

    @BeforeAll
    void setUp() throws Exception {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        String server = admin.createHttpServer(unique("rules-fixture"), "streamable-http", fixture.url().toString());
        gateway = admin.createGateway(unique("rules-gw"));
        admin.assign(gateway, server, "fx");
        rule(Map.of("name", "codes-in", "type", "regex", "patterns", List.of("client-secret-[0-9]+"), "action", "replace",
                "direction", "request"));
        rule(Map.of("name", "forbidden-in", "type", "regex", "patterns", List.of("forbidden-[0-9]+"), "action", "block", "direction", "request"));
        rule(Map.of("name", "simple-out", "type", "regex", "patterns", List.of("simple text"), "action", "replace", "replacement", "[removed]",
                "direction", "response"));
        rule(Map.of("name", "emails-out", "type", "pii", "entities", List.of("EMAIL_ADDRESS"), "action", "replace", "direction", "response"));
        rule(Map.of("name", "ssn-in", "type", "pii", "entities", List.of("US_SSN"), "action", "mask", "direction", "request"));
    }

    @AfterAll
    void tearDown() throws Exception {
        fixture.close();
    }

    private void rule(Map<String, Object> body) {
        AdminClient.Answer a = admin.send("POST", "/gateways/" + gateway + "/rules", body);
        assertThat(a.status()).as("%s", a.body()).isEqualTo(201);
    }

    private McpTestClient connected(String... capabilities) {
        McpTestClient c = client(admin.connect(gateway));
        c.initialize(McpTestClient.capabilities(capabilities));
        return c;
    }

    @Test
    void aRequestIsRedactedBeforeTheUpstreamSeesIt() {
        McpTestClient c = connected();
        ObjectNode args = Json.object();
        args.put("note", "use client-secret-12345 please");
        McpTestClient.Result r = c.callTool("fx__test_echo_request", args);
        String echoed = r.result().path("content").get(0).path("text").asString();
        assertThat(echoed).contains("use <REGEX> please").doesNotContain("client-secret-12345");
    }

    @Test
    void aBlockedRequestGetsANonLeakingError() {
        McpTestClient c = connected();
        ObjectNode args = Json.object();
        args.putObject("nested").put("deep", "this is forbidden-42");
        McpTestClient.Result r = c.callTool("fx__test_echo_request", args);
        assertThat(r.error().path("code").asInt()).isEqualTo(RulesStep.BLOCKED_CODE);
        assertThat(r.body()).doesNotContain("forbidden-42").doesNotContain("forbidden-in");
    }

    @Test
    void aResultIsRewrittenBeforeTheClientSeesIt() {
        McpTestClient.Result r = connected().callTool("fx__test_simple_text", Json.object());
        assertThat(r.result().path("content").get(0).path("text").asString()).isEqualTo("This is a [removed] response for testing.");
    }

    @Test
    void samplingIsJudgedInBothDirections() {
        McpTestClient c = connected("sampling");
        List<ObjectNode> asked = new CopyOnWriteArrayList<>();
        c.onServerRequest(request -> {
            asked.add(request);
            return Json.tree("""
                    {"role":"assistant","content":{"type":"text","text":"the ssn is 536-22-8726"},"model":"m","stopReason":"endTurn"}""");
        });
        ObjectNode args = Json.object();
        args.put("prompt", "write to ann@example.com");
        McpTestClient.Result r = c.callTool("fx__test_sampling", args);
        assertThat(asked).singleElement().satisfies(req -> assertThat(req.at("/params/messages/0/content/text").asString())
                .isEqualTo("write to <EMAIL_ADDRESS>"));
        assertThat(r.result().path("content").get(0).path("text").asString()).isEqualTo("LLM response: the ssn is ***-**-****");
    }
}
