package gatehouse.admin.api;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.audit.AuditLog;
import gatehouse.audit.LogRecord;
import gatehouse.catalog.CatalogService;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.AdminClient.Answer;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * The admin API over real HTTP: authentication, RFC 9457 problem details that name the field at
 * fault, secrets never echoed, and the shapes ACCEPTANCE.md promises. Shares its Spring context
 * with the H2 persistence tests (same annotations), so names are unique per test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class AdminApiTest {
    private static final String ADMIN_TOKEN = "gha_admin-api-test-token-0123456789abcdefghijklmnopqrstuvwxyz";
    private static final String PUBLIC_URL = "https://gatehouse.test"; // application-test.yaml, with a trailing slash there
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort int port;
    @Autowired CatalogService catalog;
    @Autowired AuditLog auditLog;
    @Autowired AdminTokens adminTokens;

    @BeforeEach
    void adminToken() {
        adminTokens.ensure(ADMIN_TOKEN, "admin-api-test");
    }

    private Answer call(String method, String path, Object body, String token) {
        return admin(token).send(method, path, body);
    }

    private Answer call(String method, String path, Object body) {
        return call(method, path, body, ADMIN_TOKEN);
    }

    private Answer raw(String method, String path, String body, String token) {
        return admin(token).raw(method, path, body);
    }

    private AdminClient admin(String token) {
        return new AdminClient("http://localhost:" + port, token);
    }

    private JsonNode expect(int status, Answer a) {
        assertThat(a.status()).as("HTTP status; body: %s", a.text()).isEqualTo(status);
        return a.body();
    }

    /** An RFC 9457 problem with this status, and (when given) naming this field. */
    private JsonNode expectProblem(int status, String field, Answer a) {
        assertThat(a.status()).as("HTTP status; body: %s", a.text()).isEqualTo(status);
        assertThat(a.contentType()).startsWith("application/problem+json");
        JsonNode p = a.body();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("title").asString()).isNotBlank();
        // "type" may be absent: RFC 9457 reads that as about:blank
        assertThat(p.path("detail").asString()).isNotBlank();
        if (field != null) {
            assertThat(p.path("field").asString()).as("field of %s", p).isEqualTo(field);
        }
        return p;
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private String createServer(String name) {
        return expect(201, call("POST", "/servers", map("name", name, "transport", "stdio", "command", List.of("mcp-server"))))
                .path("id").asString();
    }

    private String createGateway(String name) {
        return expect(201, call("POST", "/gateways", map("name", name))).path("id").asString();
    }

    // --- authentication

    @Test
    void everyCallNeedsTheAdminToken() {
        for (String token : new String[] {null, "not-a-token", ADMIN_TOKEN + "x", ""}) {
            Answer a = call("GET", "/servers", null, token);
            JsonNode p = expectProblem(401, null, a);
            assertThat(p.path("title").asString()).isEqualTo("Unauthorized");
            assertThat(a.header("WWW-Authenticate")).startsWith("Bearer");
        }
        String name = unique("sneaky");
        expectProblem(401, null, call("POST", "/servers", map("name", name, "transport", "stdio", "command", List.of("x")), "wrong"));
        assertThat(catalog.serverByName(name)).isEmpty();
        expectProblem(401, null, call("DELETE", "/gateways/gw_whatever", null, null));
        expect(200, call("GET", "/servers", null));
    }

    // --- servers

    static Stream<Arguments> invalidServers() {
        return Stream.of(
                Arguments.of("missing name", map("transport", "stdio", "command", List.of("x")), "name"),
                Arguments.of("blank name", map("name", "  ", "transport", "stdio", "command", List.of("x")), "name"),
                Arguments.of("name too long", map("name", "n".repeat(129), "transport", "stdio", "command", List.of("x")), "name"),
                Arguments.of("missing transport", map("name", unique("s")), "transport"),
                Arguments.of("bad transport", map("name", unique("s"), "transport", "carrier-pigeon", "url", "https://x.test/"), "transport"),
                Arguments.of("stdio without command", map("name", unique("s"), "transport", "stdio"), "command"),
                Arguments.of("stdio with empty command", map("name", unique("s"), "transport", "stdio", "command", List.of()), "command"),
                Arguments.of("stdio with blank program", map("name", unique("s"), "transport", "stdio", "command", List.of(" ", "a")), "command"),
                Arguments.of("http without url", map("name", unique("s"), "transport", "streamable-http"), "url"),
                Arguments.of("http with relative url", map("name", unique("s"), "transport", "streamable-http", "url", "/mcp"), "url"),
                Arguments.of("http with ftp url", map("name", unique("s"), "transport", "streamable-http", "url", "ftp://x.test/mcp"), "url"),
                Arguments.of("sse with unparsable url", map("name", unique("s"), "transport", "sse", "url", "http://exa mple/ sse"), "url"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidServers")
    void invalidServersAreRefusedWithAProblemNamingTheField(String label, Map<String, Object> body, String field) {
        expectProblem(400, field, call("POST", "/servers", body));
        if (body.get("name") instanceof String name && !name.isBlank()) {
            assertThat(catalog.serverByName(name)).as("nothing stored").isEmpty();
        }
    }

    @Test
    void aBodyThatIsNotJsonIsAProblemToo() {
        expectProblem(400, null, call("POST", "/servers", "{\"name\": "));
        // a command string is a command line now (as other clients write it); a number is still no command
        expectProblem(400, "command", call("POST", "/servers", "{\"name\": \"x\", \"command\": 42, \"transport\": \"stdio\"}"));
    }

    @Test
    void aDuplicateServerNameIsAConflict() {
        String name = unique("dup");
        createServer(name);
        expectProblem(409, "name", call("POST", "/servers", map("name", name, "transport", "sse", "url", "https://x.test/sse")));
        String other = createServer(unique("other"));
        expectProblem(409, "name", call("PATCH", "/servers/" + other, map("name", name)));
    }

    @Test
    void headerAndEnvironmentValuesAreNeverReturned() {
        String secretHeader = "Bearer sk-very-secret-" + unique("h");
        String secretEnv = "ghp_" + unique("env");
        String name = unique("secretive");
        Answer created = call("POST", "/servers", map("name", name, "transport", "streamable-http", "url", "https://mcp.example.test/mcp",
                "headers", Map.of("Authorization", secretHeader), "env", Map.of("TOKEN", secretEnv)));
        JsonNode server = expect(201, created);
        String id = server.path("id").asString();
        assertThat(id).startsWith("srv_");
        assertThat(server.path("name").asString()).isEqualTo(name);
        assertThat(server.path("transport").asString()).isEqualTo("streamable-http");

        List<Answer> answers = List.of(created, call("GET", "/servers", null), call("GET", "/servers/" + id, null),
                call("PATCH", "/servers/" + id, map("headers", Map.of("Authorization", secretHeader, "X-Extra", secretEnv))));
        for (Answer a : answers) {
            assertThat(a.status()).isBetween(200, 201);
            assertThat(a.text()).doesNotContain(secretHeader).doesNotContain(secretEnv).doesNotContain("sk-very-secret");
        }
        JsonNode one = call("GET", "/servers/" + id, null).body();
        assertThat(one.path("headers").path("Authorization").asString()).isEqualTo("<redacted>");
        assertThat(one.path("headers").path("X-Extra").asString()).isEqualTo("<redacted>");
        assertThat(one.path("env").path("TOKEN").asString()).isEqualTo("<redacted>");
        JsonNode listed = findById(call("GET", "/servers", null).body(), id);
        assertThat(listed.path("headers").path("Authorization").asString()).isEqualTo("<redacted>");
        // the values are still there for the gateway to use
        assertThat(catalog.server(id).headers()).containsEntry("Authorization", secretHeader);
        assertThat(catalog.server(id).env()).containsEntry("TOKEN", secretEnv);
    }

    private static JsonNode findById(JsonNode array, String id) {
        assertThat(array.isArray()).as("array: %s", array).isTrue();
        for (JsonNode n : array) {
            if (n.path("id").asString().equals(id)) {
                return n;
            }
        }
        throw new AssertionError(id + " not in " + array);
    }

    private static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path("id").asString()));
        return out;
    }

    @Test
    void serversCanBeReadUpdatedAndDeleted() {
        String id = createServer(unique("lifecycle"));
        assertThat(ids(call("GET", "/servers", null).body())).contains(id);
        JsonNode patched = expect(200, call("PATCH", "/servers/" + id, map("command", List.of("other-server", "--flag"))));
        assertThat(patched.path("command").toString()).isEqualTo("[\"other-server\",\"--flag\"]");
        expectProblem(400, "transport", call("PATCH", "/servers/" + id, map("transport", "smoke-signals")));
        expectProblem(400, "url", call("PATCH", "/servers/" + id, map("transport", "sse")));
        expect(204, call("DELETE", "/servers/" + id, null));
        expectProblem(404, null, call("GET", "/servers/" + id, null));
        assertThat(ids(call("GET", "/servers", null).body())).doesNotContain(id);
    }

    // --- gateways

    @Test
    void gatewaysCrudAndTheirMcpUrl() {
        String name = unique("team");
        JsonNode gw = expect(201, call("POST", "/gateways", map("name", name)));
        String id = gw.path("id").asString();
        assertThat(id).startsWith("gw_");
        assertThat(gw.path("name").asString()).isEqualTo(name);
        assertThat(gw.path("url").asString()).isEqualTo(PUBLIC_URL + "/gateway/v1/mcp?gateway=" + id);

        JsonNode listed = findById(expect(200, call("GET", "/gateways", null)), id);
        assertThat(listed.path("url").asString()).isEqualTo(PUBLIC_URL + "/gateway/v1/mcp?gateway=" + id);
        assertThat(expect(200, call("GET", "/gateways/" + id, null)).path("name").asString()).isEqualTo(name);

        String renamed = unique("team-renamed");
        assertThat(expect(200, call("PATCH", "/gateways/" + id, map("name", renamed))).path("name").asString()).isEqualTo(renamed);
        expectProblem(409, "name", call("POST", "/gateways", map("name", renamed)));
        expectProblem(400, "name", call("POST", "/gateways", map("name", "")));
        expectProblem(400, "name", call("POST", "/gateways", map()));

        expect(204, call("DELETE", "/gateways/" + id, null));
        expectProblem(404, null, call("GET", "/gateways/" + id, null));
        expectProblem(404, null, call("DELETE", "/gateways/" + id, null));
    }

    // --- assignments

    @Test
    void assignmentsDefaultTheirPrefixToTheServerName() {
        String gw = createGateway(unique("assign"));
        String serverName = unique("My Files");
        String server = createServer(serverName);
        JsonNode a = expect(200, call("PUT", "/gateways/" + gw + "/servers/" + server, map("identity", "shared")));
        String expected = serverName.toLowerCase().replace(' ', '-');
        assertThat(a.path("prefix").asString()).isEqualTo(expected);
        assertThat(a.path("identity").asString()).isEqualTo("shared");
        assertThat(a.path("serverId").asString()).isEqualTo(server);

        JsonNode view = expect(200, call("GET", "/gateways/" + gw, null));
        assertThat(view.path("servers").get(0).path("prefix").asString()).isEqualTo(expected);
        assertThat(expect(200, call("GET", "/gateways/" + gw + "/servers", null)).get(0).path("serverId").asString()).isEqualTo(server);

        // an empty body takes the defaults; no body at all is a mistake; and changing the prefix later
        String second = createServer(unique("second"));
        expectProblem(400, null, call("PUT", "/gateways/" + gw + "/servers/" + second, null));
        expect(200, call("PUT", "/gateways/" + gw + "/servers/" + second, map()));
        assertThat(expect(200, call("PUT", "/gateways/" + gw + "/servers/" + second, map("prefix", "docs"))).path("prefix").asString())
                .isEqualTo("docs");
        expect(204, call("DELETE", "/gateways/" + gw + "/servers/" + second, null));
        expectProblem(404, null, call("DELETE", "/gateways/" + gw + "/servers/" + second, null));
        assertThat(expect(200, call("GET", "/gateways/" + gw + "/servers", null))).hasSize(1);
    }

    @Test
    void invalidOrDuplicatePrefixesAreRefused() {
        String gw = createGateway(unique("prefixes"));
        String first = createServer(unique("first"));
        String second = createServer(unique("second"));
        for (String bad : List.of("a__b", "-x", "_x", "x_", "has space", "x/y", "p".repeat(65))) {
            expectProblem(400, "prefix", call("PUT", "/gateways/" + gw + "/servers/" + first, map("identity", "shared", "prefix", bad)));
        }
        expectProblem(400, "identity", call("PUT", "/gateways/" + gw + "/servers/" + first, map("identity", "everyone")));
        expect(200, call("PUT", "/gateways/" + gw + "/servers/" + first, map("identity", "shared", "prefix", "a_b.c-1")));
        expectProblem(409, "prefix", call("PUT", "/gateways/" + gw + "/servers/" + second, map("identity", "shared", "prefix", "a_b.c-1")));
        // the same prefix in another gateway is fine
        String other = createGateway(unique("other"));
        expect(200, call("PUT", "/gateways/" + other + "/servers/" + second, map("identity", "shared", "prefix", "a_b.c-1")));
        // re-assigning a server with its own prefix is not a conflict
        expect(200, call("PUT", "/gateways/" + gw + "/servers/" + first, map("identity", "shared", "prefix", "a_b.c-1")));
    }

    // --- hosts and connections

    private int mcpInitialize(String gatewayId, String token) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"admin-api-test\",\"version\":\"1\"}}}";
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/gateway/v1/mcp?gateway=" + gatewayId))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void connectionsShowTheirTokenOnceAndCanBeDisabledAndRevoked() {
        String gw = createGateway(unique("conns"));
        JsonNode host = expect(201, call("POST", "/hosts", map("name", unique("ci-pipeline"))));
        String hostId = host.path("id").asString();
        assertThat(hostId).startsWith("host_");

        JsonNode first = expect(201, call("POST", "/hosts/" + hostId + "/connections", map("gatewayId", gw)));
        JsonNode second = expect(201, call("POST", "/hosts/" + hostId + "/connections", map("gatewayId", gw)));
        String token = first.path("token").asString();
        assertThat(token).startsWith("gh_").hasSizeGreaterThan(40);
        assertThat(second.path("token").asString()).isNotEqualTo(token);
        assertThat(first.path("url").asString()).isEqualTo(PUBLIC_URL + "/gateway/v1/mcp?gateway=" + gw);
        String cid = first.path("id").asString();

        Answer list = call("GET", "/connections?gateway=" + gw, null);
        JsonNode conns = expect(200, list);
        assertThat(ids(conns)).containsExactly(cid, second.path("id").asString());
        assertThat(list.text()).doesNotContain(token).doesNotContain(second.path("token").asString()).doesNotContain("\"token\"");
        for (JsonNode c : conns) {
            assertThat(c.path("gatewayId").asString()).isEqualTo(gw);
            assertThat(c.path("hostId").asString()).isEqualTo(hostId);
            assertThat(c.path("enabled").asBoolean()).isTrue();
            assertThat(c.has("createdAt")).isTrue();
        }
        assertThat(call("GET", "/connections/" + cid, null).text()).doesNotContain(token);
        assertThat(mcpInitialize(gw, token)).isEqualTo(200);

        assertThat(expect(200, call("PATCH", "/connections/" + cid, map("enabled", false))).path("enabled").asBoolean()).isFalse();
        assertThat(findById(call("GET", "/connections?gateway=" + gw, null).body(), cid).path("enabled").asBoolean()).isFalse();
        assertThat(mcpInitialize(gw, token)).isEqualTo(403);
        expectProblem(400, "enabled", call("PATCH", "/connections/" + cid, map()));
        expect(200, call("PATCH", "/connections/" + cid, map("enabled", true)));
        assertThat(mcpInitialize(gw, token)).isEqualTo(200);

        expect(204, call("DELETE", "/connections/" + cid, null));
        assertThat(mcpInitialize(gw, token)).isEqualTo(401);
        expectProblem(404, null, call("GET", "/connections/" + cid, null));
        assertThat(ids(call("GET", "/connections?gateway=" + gw, null).body())).containsExactly(second.path("id").asString());
    }

    @Test
    void connectionRequestsAreValidated() {
        String gw = createGateway(unique("validate"));
        String hostId = expect(201, call("POST", "/hosts", map("name", unique("agent")))).path("id").asString();
        expectProblem(400, "name", call("POST", "/hosts", map()));
        expectProblem(400, "gatewayId", call("POST", "/hosts/" + hostId + "/connections", map()));
        expectProblem(400, "gatewayId", call("POST", "/hosts/" + hostId + "/connections", map("gatewayId", "gw_nope")));
        expectProblem(404, null, call("POST", "/hosts/host_nope/connections", map("gatewayId", gw)));
        assertThat(call("GET", "/connections?gateway=" + gw, null).body()).isEmpty();
    }

    // --- logs

    private static LogRecord log(Instant time, String gateway, String connection, String tool) {
        return new LogRecord(time, "7", "sess", connection, gateway, "srv_logs", null, "client", "request", "tools/call", tool, 3.25,
                "ok", null, null, null, Json.tree("{\"q\":\"a, \\\"quoted\\\" value\"}"), Json.tree("{\"content\":[]}"));
    }

    private String logs(String query) {
        return "/logs?" + query;
    }

    @Test
    void logsAreServedAsJsonJsonLinesAndCsvNewestFirst() {
        String gw = unique("logs");
        Instant t0 = Instant.parse("2026-05-01T08:00:00Z");
        auditLog.record(log(t0, gw, "conn-1", "search"));
        auditLog.record(log(t0.plusSeconds(10), gw, "conn-2", "fetch"));
        auditLog.awaitWritten(auditLog.record(log(t0.plusSeconds(20), gw, "conn-1", "fetch")), Duration.ofSeconds(20));

        JsonNode json = expect(200, call("GET", logs("gateway=" + gw), null));
        assertThat(json).hasSize(3);
        List<String> times = new ArrayList<>();
        json.forEach(r -> times.add(r.path("time").asString()));
        assertThat(times).containsExactly("2026-05-01T08:00:20Z", "2026-05-01T08:00:10Z", "2026-05-01T08:00:00Z");
        for (String field : List.of("time", "connectionId", "gatewayId", "serverId", "method", "tool", "durationMs", "inputTokens",
                "outputTokens", "status", "decisions")) {
            assertThat(json.get(0).has(field)).as(field).isTrue();
        }
        assertThat(json.get(0).path("inputTokens").asInt()).isPositive();

        assertThat(expect(200, call("GET", logs("gateway=" + gw + "&connection=conn-1&tool=fetch"), null))).hasSize(1);
        assertThat(expect(200, call("GET", logs("gateway=" + gw + "&limit=1"), null)).get(0).path("time").asString())
                .isEqualTo("2026-05-01T08:00:20Z");
        String window = "&from=" + enc("2026-05-01T08:00:05Z") + "&to=" + enc("2026-05-01T08:00:20Z");
        assertThat(expect(200, call("GET", logs("gateway=" + gw + window), null))).hasSize(1);

        Answer jsonl = call("GET", logs("gateway=" + gw + "&format=jsonl"), null);
        assertThat(jsonl.status()).isEqualTo(200);
        assertThat(jsonl.contentType()).startsWith("application/jsonl");
        List<String> lines = jsonl.text().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(Json.tree(lines.getFirst()).path("time").asString()).isEqualTo("2026-05-01T08:00:20Z");
        assertThat(Json.tree(lines.getLast()).path("tool").asString()).isEqualTo("search");

        Answer csv = call("GET", logs("gateway=" + gw + "&format=csv"), null);
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        List<String> rows = csv.text().lines().toList();
        assertThat(rows).hasSize(4);
        List<String> header = List.of(rows.getFirst().split(","));
        assertThat(header).contains("time", "connectionId", "gatewayId", "serverId", "method", "tool", "durationMs", "inputTokens",
                "outputTokens", "status", "decisions");
        List<String> newest = List.of(rows.get(1).split(",", -1));
        assertThat(newest).hasSameSizeAs(header);
        assertThat(newest.get(header.indexOf("time"))).isEqualTo("2026-05-01T08:00:20Z");
        assertThat(newest.get(header.indexOf("tool"))).isEqualTo("fetch");
        assertThat(newest.get(header.indexOf("gatewayId"))).isEqualTo(gw);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void badLogQueriesNameTheParameter() {
        expectProblem(400, "from", call("GET", logs("from=yesterday"), null));
        expectProblem(400, "to", call("GET", logs("to=2026-13-45"), null));
        expectProblem(400, "format", call("GET", logs("format=xml"), null));
        expectProblem(400, "limit", call("GET", logs("limit=lots"), null));
    }

    // --- unknown ids

    @Test
    void unknownIdsAreNotFoundProblems() {
        for (String[] c : new String[][] {
                {"GET", "/servers/srv_missing"}, {"PATCH", "/servers/srv_missing"}, {"DELETE", "/servers/srv_missing"},
                {"GET", "/gateways/gw_missing"}, {"PATCH", "/gateways/gw_missing"}, {"DELETE", "/gateways/gw_missing"},
                {"PUT", "/gateways/gw_missing/servers/srv_missing"}, {"GET", "/gateways/gw_missing/servers"},
                {"DELETE", "/hosts/host_missing"}, {"GET", "/connections/conn_missing"},
                {"PATCH", "/connections/conn_missing"}, {"DELETE", "/connections/conn_missing"}}) {
            Object body = c[0].equals("PATCH") || c[0].equals("PUT") ? map("name", unique("x"), "enabled", true) : null;
            JsonNode p = expectProblem(404, null, call(c[0], c[1], body));
            assertThat(p.path("detail").asString()).as(c[0] + " " + c[1]).contains("missing");
        }
        String gw = createGateway(unique("known"));
        expectProblem(404, null, call("PUT", "/gateways/" + gw + "/servers/srv_missing", map("identity", "shared")));
    }
}
