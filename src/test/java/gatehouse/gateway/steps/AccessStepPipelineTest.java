package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.authserver.OAuthDriver;
import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Per-team tool subsets through the real pipeline: two people connect through the OAuth flow to one
 * gateway whose teams hold it with different subsets, and list and call its tools (the official
 * conformance fixture as upstream). A tool outside a person's subset is missing from their list and
 * its call answers exactly like a tool that does not exist; a changed subset applies at once; an
 * API-token connection sees every tool.
 */
class AccessStepPipelineTest extends GatewayTestSupport {
    private static final String REDIRECT = "http://localhost:7777/callback";
    private static final String PASSWORD = "access-step-password";

    private RunningFixture fixture;
    private String gateway;
    private String subsetTeam;

    @BeforeAll
    void world() {
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);
        String server = admin.createHttpServer(unique("fx"), "streamable-http", fixture.url().toString());
        gateway = admin.createGateway(unique("access-gw"));
        admin.assign(gateway, server, "fx");
    }

    @AfterAll
    void stop() throws Exception {
        fixture.close();
    }

    private McpTestClient personConnects(String username) {
        OAuthDriver d = new OAuthDriver(baseUrl());
        String clientId = d.register(List.of(REDIRECT)).path("client_id").asString();
        String verifier = OAuthDriver.verifier();
        OAuthDriver.Outcome o = d.walk(d.authorizeUrl(clientId, REDIRECT, verifier, PUBLIC_URL + "/gateway/v1/mcp?gateway=" + gateway, "s"),
                username, PASSWORD, null, Map.of(), true);
        assertThat(o.param("code")).as("code in %s", o.pages()).isNotNull();
        McpTestClient client = new McpTestClient(mcpUrl(gateway), d.exchange(clientId, o.param("code"), verifier, REDIRECT).access());
        assertThat(client.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        return client;
    }

    private static List<String> tools(McpTestClient client) {
        return client.call("tools/list", Json.object()).result().path("tools").valueStream().map(t -> t.path("name").asString()).toList();
    }

    private static JsonNode call(McpTestClient client, String tool) {
        McpTestClient.Result r = client.callTool(tool, Json.object());
        return r.response().has("error") ? r.response().get("error") : r.response().get("result");
    }

    @Test
    void eachPersonSeesAndCallsOnlyTheirTeamsTools() {
        String alice = unique("alice");
        String bob = unique("bob");
        AdminClient.Person a = admin.person(alice, PASSWORD, "alice@example.com");
        AdminClient.Person b = admin.person(bob, PASSWORD, "bob@example.com");
        subsetTeam = a.teamId();
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + a.teamId(), Map.of("tools", List.of("fx__test_simple_text")));
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + b.teamId(), null);

        McpTestClient aliceClient = personConnects(alice);
        McpTestClient bobClient = personConnects(bob);

        assertThat(tools(aliceClient)).containsExactly("fx__test_simple_text");
        List<String> all = tools(bobClient);
        assertThat(all).contains("fx__test_simple_text", "fx__test_image_content").hasSizeGreaterThan(2);

        assertThat(call(aliceClient, "fx__test_simple_text").path("content").get(0).path("text").asString()).isNotBlank();
        JsonNode refused = call(aliceClient, "fx__test_image_content");
        JsonNode missing = call(aliceClient, "fx__no_such_tool");
        assertThat(refused.path("code").asInt()).isEqualTo(missing.path("code").asInt()).isEqualTo(-32602);
        assertThat(refused.path("message").asString().replace("fx__test_image_content", "NAME"))
                .isEqualTo(missing.path("message").asString().replace("fx__no_such_tool", "NAME"));
        assertThat(refused.has("data")).isEqualTo(missing.has("data"));
        assertThat(call(bobClient, "fx__test_image_content").path("content").isArray()).isTrue();

        // the subset changes: the next list and call follow, on the same session
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + subsetTeam, Map.of("tools", List.of("fx__test_image_content")));
        assertThat(tools(aliceClient)).containsExactly("fx__test_image_content");
        assertThat(call(aliceClient, "fx__test_image_content").path("content").isArray()).isTrue();
        assertThat(call(aliceClient, "fx__test_simple_text").path("code").asInt()).isEqualTo(-32602);

        // an API-token connection is bound by an administrator and sees every tool
        McpTestClient agent = client(admin.connect(gateway, unique("agent")));
        assertThat(agent.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        assertThat(tools(agent)).containsExactlyInAnyOrderElementsOf(all);

        // refusals are recorded in the request log, never answered differently
        org.awaitility.Awaitility.await().atMost(AUDIT_WAIT).untilAsserted(() -> assertThat(admin.logs("gateway=" + gateway + "&limit=1000"))
                .as("log records of the gateway").anyMatch(r -> r.path("decisions").toString().contains("\"access\"")));
    }
}
