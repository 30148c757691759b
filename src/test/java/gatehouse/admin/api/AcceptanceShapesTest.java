package gatehouse.admin.api;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.admin.tokens.AdminTokens;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.testing.AdminClient;
import gatehouse.testing.AdminClient.Answer;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * The admin API exactly as ACCEPTANCE.md names it, row by row: the paths, the request bodies, the
 * status codes and the fields of each answer that outside checks rely on. Every JSON answer ends
 * with a newline. Shares the H2 context of {@link AdminApiTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class AcceptanceShapesTest {
    private static final String ADMIN_TOKEN = "gha_acceptance-shapes-token-0123456789abcdefghijklmnop";

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    private AdminClient api;
    private RunningFixture fixture;

    @BeforeEach
    void setUp() {
        adminTokens.ensure(ADMIN_TOKEN, "acceptance-shapes");
        api = new AdminClient("http://localhost:" + port, ADMIN_TOKEN);
    }

    @AfterEach
    void stopFixture() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** A call that must answer {@code status} with JSON ending in a newline; its body. */
    private JsonNode expect(int status, String method, String path, Object body) {
        Answer a = api.send(method, path, body);
        assertThat(a.status()).as("%s %s: %s", method, path, a.text()).isEqualTo(status);
        if (a.text() != null && !a.text().isEmpty()) {
            assertThat(a.contentType()).as("%s %s", method, path).contains("json");
            assertThat(a.text()).as("%s %s ends with a newline", method, path).endsWith("\n");
        }
        return a.body();
    }

    private static void hasFields(JsonNode node, String... fields) {
        for (String f : fields) {
            assertThat(node.has(f)).as("field '%s' in %s", f, node).isTrue();
        }
    }

    /** A local port where nothing listens: bound, read back and closed. */
    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void serversGatewaysAssignmentsFeaturesHostsAndConnections() {
        String id = unique("acc");
        fixture = ConformanceFixtureMain.start(FixtureTransport.STREAMABLE_HTTP, 0);

        // POST /servers {name, transport, url} → 201 {id, …}
        JsonNode http = expect(201, "POST", "/servers", Map.of("name", "http-" + id, "transport", "streamable-http",
                "url", fixture.url().toString(), "headers", Map.of("Authorization", "Bearer upstream-secret")));
        hasFields(http, "id", "name", "transport", "health");
        assertThat(http.path("transport").asString()).isEqualTo("streamable-http");
        assertThat(http.toString()).as("headers are never answered").doesNotContain("upstream-secret");
        // command as a list, with env; and as a string with args beside it, as MCP clients write it
        JsonNode listed = expect(201, "POST", "/servers", Map.of("name", "list-" + id, "transport", "stdio",
                "command", List.of("npx", "-y", "some-server"), "env", Map.of("K", "v")));
        JsonNode stringArgs = expect(201, "POST", "/servers", Map.of("name", "args-" + id, "command", "npx",
                "args", List.of("-y", "some-server")));
        assertThat(stringArgs.path("transport").asString()).isEqualTo("stdio");
        assertThat(stringArgs.path("command").toString()).isEqualTo(listed.path("command").toString());
        expect(201, "POST", "/servers", Map.of("name", "sse-" + id, "transport", "sse", "url", "http://127.0.0.1:1/sse"));

        // GET /servers, GET /servers/{sid}: health {state ok|starting|failing, reason?, since?, lastContactAt?}
        for (JsonNode s : expect(200, "GET", "/servers", null)) {
            assertThat(s.path("health").path("state").asString()).as("%s", s).isIn("ok", "starting", "failing");
        }
        String sid = http.path("id").asString();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(expect(200, "GET", "/servers/" + sid, null).path("health").path("state").asString()).isEqualTo("ok"));

        // POST /gateways {name} → 201 {id, url}; url is the full MCP URL
        JsonNode gw = expect(201, "POST", "/gateways", Map.of("name", "gw-" + id));
        String gid = gw.path("id").asString();
        assertThat(gw.path("url").asString()).endsWith("/gateway/v1/mcp?gateway=" + gid).startsWith("http");

        // PUT /gateways/{gid}/servers/{sid} {identity, prefix?} → 200
        expect(200, "PUT", "/gateways/" + gid + "/servers/" + sid, Map.of("identity", "shared", "prefix", "fx"));

        // GET /gateways/{gid}/features → [{id, serverId, kind, name, exposedName, enabled, status}]
        await().atMost(Duration.ofSeconds(60)).until(() -> expect(200, "GET", "/gateways/" + gid + "/features", null).size() > 0);
        JsonNode features = expect(200, "GET", "/gateways/" + gid + "/features", null);
        for (JsonNode f : features) {
            hasFields(f, "id", "serverId", "kind", "name", "exposedName", "enabled", "status");
            assertThat(f.path("kind").asString()).isIn("tool", "prompt", "resource", "resource-template");
            assertThat(f.path("status").asString()).isIn("approved", "pending", "quarantined");
        }
        JsonNode tool = features.valueStream().filter(f -> f.path("kind").asString().equals("tool")).findFirst().orElseThrow();
        assertThat(tool.path("exposedName").asString()).isEqualTo("fx__" + tool.path("name").asString());
        // PATCH /gateways/{gid}/features/{fid} {enabled}; POST …/{fid}/approve
        JsonNode patched = expect(200, "PATCH", "/gateways/" + gid + "/features/" + tool.path("id").asString(), Map.of("enabled", false));
        assertThat(patched.path("enabled").asBoolean()).isFalse();
        Answer approve = api.send("POST", "/gateways/" + gid + "/features/" + tool.path("id").asString() + "/approve", null);
        assertThat(approve.status()).as(approve.text()).isIn(200, 409);

        // GET /gateways, GET /gateways/{gid}
        assertThat(expect(200, "GET", "/gateways", null).valueStream().map(g -> g.path("id").asString())).contains(gid);
        hasFields(expect(200, "GET", "/gateways/" + gid, null), "id", "name", "url");

        // POST /hosts {name} → 201 {id}; POST /hosts/{hid}/connections {gatewayId} → 201 {id, url, token}
        String hid = expect(201, "POST", "/hosts", Map.of("name", "host-" + id)).path("id").asString();
        JsonNode conn = expect(201, "POST", "/hosts/" + hid + "/connections", Map.of("gatewayId", gid));
        hasFields(conn, "id", "url", "token");
        String cid = conn.path("id").asString();

        // GET /connections?gateway= → [{id, gatewayId, hostId?, userId?, enabled, createdAt}]
        JsonNode conns = expect(200, "GET", "/connections?gateway=" + gid, null);
        assertThat(conns).hasSize(1);
        hasFields(conns.get(0), "id", "gatewayId", "enabled", "createdAt");
        assertThat(conns.get(0).path("hostId").asString()).isEqualTo(hid);
        assertThat(conns.get(0).toString()).as("the token is shown once").doesNotContain(conn.path("token").asString());

        // PATCH /connections/{cid} {enabled}
        assertThat(expect(200, "PATCH", "/connections/" + cid, Map.of("enabled", false)).path("enabled").asBoolean()).isFalse();

        // POST /gateways/{gid}/rules → 201
        JsonNode rule = expect(201, "POST", "/gateways/" + gid + "/rules", Map.of("name", "no-keys-" + id, "type", "regex",
                "patterns", List.of("sk-[a-z0-9]{8}"), "action", "redact", "direction", "both", "mode", "enforce"));
        hasFields(rule, "id");
    }

    @Test
    void unreachableServersRaiseAnAlertNamingThem() throws IOException {
        String name = unique("down");
        JsonNode s = expect(201, "POST", "/servers", Map.of("name", name, "url", "http://127.0.0.1:" + refusedPort() + "/mcp"));
        String gid = expect(201, "POST", "/gateways", Map.of("name", unique("down-gw"))).path("id").asString();
        expect(200, "PUT", "/gateways/" + gid + "/servers/" + s.path("id").asString(), Map.of("identity", "shared"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(expect(200, "GET", "/servers/" + s.path("id").asString(), null).path("health").path("state").asString())
                        .isEqualTo("failing"));
        JsonNode failing = expect(200, "GET", "/servers/" + s.path("id").asString(), null).path("health");
        hasFields(failing, "state", "reason", "since");

        // GET /alerts → [{id, type, severity, subject, message, state, time}]
        await().atMost(Duration.ofSeconds(60)).until(() -> expect(200, "GET", "/alerts", null).valueStream()
                .anyMatch(a -> a.toString().contains(name)));
        JsonNode alert = expect(200, "GET", "/alerts", null).valueStream().filter(a -> a.toString().contains(name)).findFirst().orElseThrow();
        hasFields(alert, "id", "type", "severity", "subject", "message", "state", "time");
    }

    @Test
    void peopleTeamsRolesAndTokens() {
        String id = unique("ppl");
        String gid = expect(201, "POST", "/gateways", Map.of("name", "people-" + id)).path("id").asString();

        // POST /users {username, password?, email}, GET /users
        JsonNode user = expect(201, "POST", "/users", Map.of("username", "u-" + id, "password", "a-long-password-1", "email", id + "@example.com"));
        String uid = user.path("id").asString();
        assertThat(user.toString()).doesNotContain("a-long-password-1");
        assertThat(expect(200, "GET", "/users", null).valueStream().map(u -> u.path("username").asString())).contains("u-" + id);

        // POST /teams {name}, GET /teams, PUT /teams/{tid}/members/{uid}
        String tid = expect(201, "POST", "/teams", Map.of("name", "t-" + id)).path("id").asString();
        assertThat(expect(200, "GET", "/teams", null).valueStream().map(t -> t.path("id").asString())).contains(tid);
        expect(200, "PUT", "/teams/" + tid + "/members/" + uid, null);

        // PUT /gateways/{gid}/teams/{tid} {tools?: [exposed names]}
        expect(200, "PUT", "/gateways/" + gid + "/teams/" + tid, Map.of("tools", List.of("fx__echo")));
        expect(200, "PUT", "/gateways/" + gid + "/teams/" + tid, null);

        // POST /roles {name, permissions}, PUT /users/{uid}/roles/{rid} {scope?}
        JsonNode role = expect(201, "POST", "/roles", Map.of("name", "r-" + id, "permissions", List.of("gateway.read", "gateway.logs")));
        String rid = role.path("id").asString();
        expect(200, "PUT", "/users/" + uid + "/roles/" + rid, Map.of("scope", Map.of("gatewayId", gid)));
        for (String p : List.of("gateway.read", "gateway.manage", "gateway.provision", "gateway.rules", "gateway.logs",
                "connection.manage", "team.manage", "user.manage", "alert.manage", "admin")) {
            expect(201, "POST", "/roles", Map.of("name", "r-" + id + "-" + p, "permissions", List.of(p)));
        }

        // POST /users/{uid}/api-tokens {name} → {token}: an admin-API token acting as that user
        String userToken = expect(201, "POST", "/users/" + uid + "/api-tokens", Map.of("name", "cli")).path("token").asString();
        assertThat(userToken).isNotBlank();
        assertThat(api.withToken(userToken).send("GET", "/gateways/" + gid, null).status()).isEqualTo(200);

        // GET /admin-tokens, POST /admin-tokens {name} → {id, token}, DELETE /admin-tokens/{id}
        JsonNode created = expect(201, "POST", "/admin-tokens", Map.of("name", "ci-" + id));
        hasFields(created, "id", "token");
        JsonNode listed = expect(200, "GET", "/admin-tokens", null).valueStream()
                .filter(t -> t.path("id").asString().equals(created.path("id").asString())).findFirst().orElseThrow();
        hasFields(listed, "name", "createdAt", "lastUsedAt");
        assertThat(listed.toString()).doesNotContain(created.path("token").asString());
        expect(204, "DELETE", "/admin-tokens/" + created.path("id").asString(), null);
        assertThat(api.withToken(created.path("token").asString()).send("GET", "/gateways", null).status()).isEqualTo(401);

        // POST /scim-tokens {name} → {token}
        assertThat(expect(201, "POST", "/scim-tokens", Map.of("name", "scim-" + id)).path("token").asString()).isNotBlank();
    }

    @Test
    void alertChannelsAndSsoProviders() {
        String id = unique("chan");
        // POST /alert-channels {name, type, url?, smtp?, alertTypes?} → 201; GET; DELETE /alert-channels/{id}
        JsonNode hook = expect(201, "POST", "/alert-channels", Map.of("name", "hook-" + id, "type", "webhook",
                "url", "https://hooks.example.com/gatehouse", "alertTypes", List.of("server-unreachable")));
        expect(201, "POST", "/alert-channels", Map.of("name", "slack-" + id, "type", "slack", "url", "https://hooks.slack.com/services/T/B/X"));
        expect(201, "POST", "/alert-channels", Map.of("name", "mail-" + id, "type", "smtp",
                "smtp", Map.of("host", "127.0.0.1", "port", 2525, "from", "gatehouse@example.com", "to", "ops@example.com")));
        assertThat(expect(200, "GET", "/alert-channels", null).valueStream().map(c -> c.path("id").asString()))
                .contains(hook.path("id").asString());
        expect(200, "GET", "/alert-channels/" + hook.path("id").asString(), null);
        expect(204, "DELETE", "/alert-channels/" + hook.path("id").asString(), null);

        // POST /sso-providers {name, issuer, clientId, clientSecret, emailDomains?, groupsClaim?} → 201 {id, redirectUri}
        // against a real OpenID provider on loopback (its discovery document is read at registration)
        MockOAuth2Server provider = new MockOAuth2Server();
        provider.start(java.net.InetAddress.getLoopbackAddress(), 0);
        try {
            ssoProvider(provider, "idp" + Math.abs(id.hashCode()));
        } finally {
            provider.shutdown();
        }
    }

    private void ssoProvider(MockOAuth2Server provider, String name) {
        String issuer = provider.issuerUrl(name).toString().replaceAll("/$", "");
        JsonNode idp = expect(201, "POST", "/sso-providers", Map.of("name", name, "issuer", issuer,
                "clientId", "gatehouse", "clientSecret", "idp-secret-value", "emailDomains", List.of("example.com"), "groupsClaim", "groups"));
        hasFields(idp, "id", "redirectUri");
        assertThat(idp.path("redirectUri").asString()).endsWith("/login/oauth2/code/" + name);
        assertThat(idp.toString()).doesNotContain("idp-secret-value");
        expect(204, "DELETE", "/sso-providers/" + idp.path("id").asString(), null);
    }

    @Test
    void logsInEveryFormatAndTheOpenApiDocumentWithTheServerRequestSchemas() {
        // GET /logs?…&format=json|jsonl|csv
        expect(200, "GET", "/logs?limit=5", null);
        Answer jsonl = api.send("GET", "/logs?limit=5&format=jsonl", null);
        assertThat(jsonl.status()).isEqualTo(200);
        Answer csv = api.send("GET", "/logs?limit=5&format=csv", null);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.text().lines().findFirst().orElse("")).contains("time").contains("connectionId").contains("gatewayId")
                .contains("serverId").contains("method").contains("tool").contains("durationMs").contains("inputTokens")
                .contains("outputTokens").contains("status").contains("decisions");

        // GET /openapi.json: POST and PATCH /servers carry their request schema
        // the first request builds the document, which on a loaded machine can outlast a client's timeout
        Answer openapi = await().atMost(Duration.ofMinutes(3)).ignoreExceptions()
                .until(() -> api.send("GET", "/openapi.json", null), a -> a.status() == 200);
        JsonNode doc = openapi.body();
        assertThat(doc.isObject()).as("a JSON object, not an encoded string: %s", openapi.text()).isTrue();
        JsonNode schemas = doc.path("components").path("schemas");
        for (String method : List.of("post", "patch")) {
            String path = method.equals("post") ? "/api/v1/servers" : "/api/v1/servers/{id}";
            JsonNode body = doc.path("paths").path(path).path(method).path("requestBody");
            String ref = body.path("content").path("application/json").path("schema").path("$ref").asString();
            assertThat(ref).as("%s %s request body: %s", method, path, body).endsWith("/ServerRequest");
        }
        Set<String> props = Set.copyOf(schemas.path("ServerRequest").path("properties").propertyNames());
        assertThat(props).contains("name", "transport", "command", "args", "env", "url", "headers", "oauth");
    }
}
