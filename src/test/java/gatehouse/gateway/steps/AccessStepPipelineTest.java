package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import gatehouse.authserver.OAuthDriver;
import gatehouse.fixture.ConformanceFixture;
import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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
        McpTestClient client = new McpTestClient(mcpUrl(gateway), personsToken(username));
        assertThat(client.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        return client;
    }

    /** The access token a person gets through the OAuth flow for the gateway. */
    private String personsToken(String username) {
        OAuthDriver d = new OAuthDriver(baseUrl());
        String clientId = d.register(List.of(REDIRECT)).path("client_id").asString();
        String verifier = OAuthDriver.verifier();
        OAuthDriver.Outcome o = d.walk(d.authorizeUrl(clientId, REDIRECT, verifier, PUBLIC_URL + "/gateway/v1/mcp?gateway=" + gateway, "s"),
                username, PASSWORD, null, Map.of(), true);
        assertThat(o.param("code")).as("code in %s", o.pages()).isNotNull();
        return d.exchange(clientId, o.param("code"), verifier, REDIRECT).access();
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

    /**
     * Repeated lists are answered from what the gateway merged and serialized before (only the id
     * is new): two people whose teams see different subsets, alternating, each always get their own
     * list, and a change between two calls shows in the very next one.
     */
    @Test
    void alternatingCallersWithDifferentSubsetsEachGetTheirOwnListAndEveryChangeShowsAtOnce() {
        String dora = unique("dora");
        String erin = unique("erin");
        AdminClient.Person d = admin.person(dora, PASSWORD, "dora@example.com");
        AdminClient.Person e = admin.person(erin, PASSWORD, "erin@example.com");
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + d.teamId(), Map.of("tools", List.of("fx__test_simple_text")));
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + e.teamId(), null);
        McpTestClient doraClient = personConnects(dora);
        McpTestClient erinClient = personConnects(erin);
        McpTestClient agent = client(admin.connect(gateway, unique("agent")));
        assertThat(agent.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);

        List<String> all = tools(erinClient);
        assertThat(all).contains("fx__test_simple_text", "fx__test_image_content").hasSizeGreaterThan(2);
        for (int i = 0; i < 3; i++) {
            assertThat(tools(doraClient)).containsExactly("fx__test_simple_text");
            assertThat(tools(erinClient)).containsExactlyElementsOf(all);
            assertThat(tools(agent)).containsExactlyElementsOf(all);
        }

        // one team's subset changes between two calls
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + d.teamId(), Map.of("tools", List.of("fx__test_image_content")));
        for (int i = 0; i < 2; i++) {
            assertThat(tools(doraClient)).containsExactly("fx__test_image_content");
            assertThat(tools(erinClient)).containsExactlyElementsOf(all);
        }

        // the team that saw everything gets a subset, then loses it again
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + e.teamId(), Map.of("tools", List.of("fx__test_simple_text")));
        assertThat(tools(erinClient)).containsExactly("fx__test_simple_text");
        assertThat(tools(doraClient)).containsExactly("fx__test_image_content");
        assertThat(tools(agent)).containsExactlyElementsOf(all);
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + e.teamId(), null);
        assertThat(tools(erinClient)).containsExactlyElementsOf(all);

        // the gateway's provisioning blocks every tool, then allows them again: every caller follows
        admin.expect(200, "PATCH", "/gateways/" + gateway + "/provisioning", Map.of("tools", "block-all"));
        assertThat(tools(erinClient)).isEmpty();
        assertThat(tools(agent)).isEmpty();
        assertThat(tools(doraClient)).isEmpty();
        admin.expect(200, "PATCH", "/gateways/" + gateway + "/provisioning", Map.of("tools", "allow-all"));
        assertThat(tools(agent)).containsExactlyElementsOf(all);
        assertThat(tools(erinClient)).containsExactlyElementsOf(all);
        assertThat(tools(doraClient)).containsExactly("fx__test_image_content");
    }

    private static List<String> listed(McpTestClient client, String method, String kind, String field) {
        return client.call(method, Json.object()).result().path(kind).valueStream().map(t -> t.path(field).asString()).toList();
    }

    /** A 2026-07-28 listen stream for every list change, on the person's token; returns once acknowledged. */
    private static List<ObjectNode> listen(McpTestClient stateless) {
        ObjectNode p = Json.object();
        ObjectNode n = p.putObject("notifications");
        n.put("toolsListChanged", true);
        n.put("promptsListChanged", true);
        n.put("resourcesListChanged", true);
        ObjectNode meta = p.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
        meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, Json.object());
        List<ObjectNode> events = new CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<McpTestClient.Result> answer = stateless.postAsync(
                Json.bytes(stateless.request("subscriptions/listen", p)),
                Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "subscriptions/listen"), events::add);
        java.util.function.BooleanSupplier acknowledged = () -> events.stream()
                .anyMatch(m -> "notifications/subscriptions/acknowledged".equals(m.path("method").asString(null)));
        // an answer that ends the POST instead of a stream is shown at once, not after the wait
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.getAsBoolean() || answer.isDone());
        assertThat(acknowledged.getAsBoolean()).as("the listen stream was acknowledged; the POST ended with %s, events %s",
                answer.isDone() ? answer.handle((r, e) -> e != null ? e.toString() : r.status() + " " + r.body()).join() : "nothing yet",
                events).isTrue();
        return events;
    }

    @Test
    void promptsAndResourcesFollowTheSubsetAndAChangeIsAnnouncedToBothGenerations() {
        String carol = unique("carol");
        AdminClient.Person c = admin.person(carol, PASSWORD, "carol@example.com");
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + c.teamId(), Map.of("tools", List.of("fx__test_simple_text"),
                "prompts", List.of("fx__test_simple_prompt"), "resources", List.of(ConformanceFixture.STATIC_TEXT_URI)));
        JsonNode team = admin.expect(200, "GET", "/teams", null);
        assertThat(team.toString()).contains("\"prompts\":{\"" + gateway + "\":[\"fx__test_simple_prompt\"]}");

        String token = personsToken(carol);
        McpTestClient session = new McpTestClient(mcpUrl(gateway), token);
        assertThat(session.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        assertThat(listed(session, "prompts/list", "prompts", "name")).containsExactly("fx__test_simple_prompt");
        assertThat(listed(session, "resources/list", "resources", "uri")).containsExactly(ConformanceFixture.STATIC_TEXT_URI);
        assertThat(listed(session, "resources/templates/list", "resourceTemplates", "uriTemplate")).isEmpty();

        ObjectNode hidden = Json.object().put("name", "fx__test_prompt_with_image");
        ObjectNode missing = Json.object().put("name", "fx__no_such_prompt");
        JsonNode refused = session.call("prompts/get", hidden).error();
        JsonNode absent = session.call("prompts/get", missing).error();
        assertThat(refused.path("code").asInt()).isEqualTo(absent.path("code").asInt());
        assertThat(refused.path("message").asString().replace("fx__test_prompt_with_image", "NAME"))
                .isEqualTo(absent.path("message").asString().replace("fx__no_such_prompt", "NAME"));
        assertThat(session.call("resources/read", Json.object().put("uri", ConformanceFixture.STATIC_TEXT_URI)).result()
                .path("contents").isArray()).isTrue();
        JsonNode unread = session.call("resources/read", Json.object().put("uri", ConformanceFixture.STATIC_BINARY_URI)).error();
        JsonNode unknown = session.call("resources/read", Json.object().put("uri", "test://no-such-resource")).error();
        assertThat(unread.path("code").asInt()).isEqualTo(unknown.path("code").asInt());

        try (McpTestClient.EventStream stream = session.openStream(); McpTestClient stateless = new McpTestClient(mcpUrl(gateway), token)) {
            assertThat(stream.status()).isEqualTo(200);
            List<ObjectNode> listenEvents = listen(stateless);

            admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + c.teamId(), Map.of("prompts", List.of("fx__test_prompt_with_image"),
                    "resources", List.of(ConformanceFixture.TEMPLATE_URI)));

            List<String> heard = new ArrayList<>();
            while (!heard.containsAll(EVERY_LIST)) {
                ObjectNode m = stream.poll(Duration.ofSeconds(60));
                assertThat(m).as("the 2025 session's next event after %s", heard).isNotNull();
                heard.add(m.path("method").asString());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> listenEvents.stream().map(m -> m.path("method").asString(""))
                    .toList().containsAll(EVERY_LIST));
        }
        assertThat(listed(session, "prompts/list", "prompts", "name")).containsExactly("fx__test_prompt_with_image");
        assertThat(listed(session, "resources/list", "resources", "uri")).isEmpty();
        assertThat(listed(session, "resources/templates/list", "resourceTemplates", "uriTemplate"))
                .containsExactly(ConformanceFixture.TEMPLATE_URI);
        assertThat(session.call("resources/read", Json.object().put("uri", "test://template/7/data")).result().path("contents").isArray())
                .as("a URI of a granted template").isTrue();
        assertThat(listed(session, "tools/list", "tools", "name")).as("no tool subset any more: every tool").hasSizeGreaterThan(2);
    }

    @org.springframework.beans.factory.annotation.Autowired
    private org.springframework.jdbc.core.JdbcTemplate jdbc;
    @org.springframework.beans.factory.annotation.Autowired
    private gatehouse.identity.Directory directory;

    /**
     * Another replica changes a team's subset: this one learns of it when it reloads the directory
     * (at once on PostgreSQL through LISTEN/NOTIFY, else at the periodic refresh), and its sessions
     * hear that their lists changed. The other replica is played by a write straight to the
     * database, which this process's services never see.
     */
    @Test
    void aSubsetChangedByAnotherReplicaIsAnnouncedAtTheNextReload() {
        String dave = unique("dave");
        AdminClient.Person d = admin.person(dave, PASSWORD, "dave@example.com");
        admin.expect(200, "PUT", "/gateways/" + gateway + "/teams/" + d.teamId(), Map.of("tools", List.of("fx__test_simple_text")));
        McpTestClient session = new McpTestClient(mcpUrl(gateway), personsToken(dave));
        assertThat(session.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        assertThat(listed(session, "tools/list", "tools", "name")).containsExactly("fx__test_simple_text");

        try (McpTestClient.EventStream stream = session.openStream()) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(jdbc.update("UPDATE gateway_teams SET tools = ? WHERE gateway_id = ? AND team_id = ?",
                    "[\"fx__test_error_handling\"]", gateway, d.teamId())).isEqualTo(1);
            directory.reload();
            ObjectNode m = stream.poll(Duration.ofSeconds(60));
            assertThat(m).as("the session hears of the other replica's change").isNotNull();
            assertThat(m.path("method").asString()).isEqualTo("notifications/tools/list_changed");
        }
        assertThat(listed(session, "tools/list", "tools", "name")).containsExactly("fx__test_error_handling");
        directory.reload();
    }

    private static final List<String> EVERY_LIST = List.of("notifications/tools/list_changed",
            "notifications/prompts/list_changed", "notifications/resources/list_changed");
}
