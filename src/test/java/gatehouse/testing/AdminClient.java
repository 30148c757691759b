package gatehouse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin API over real HTTP, as an operator (or a script) would drive it: the one client every
 * test uses, whether Gatehouse runs in the test's own Spring context or as the packaged jar. The
 * set-up shortcuts fail with the answer's status and body when the API refuses.
 */
public final class AdminClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String token;

    /** {@code base} is the server's root URL ({@code http://127.0.0.1:PORT}); {@code token} may be null (no header). */
    public AdminClient(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    /** The same server with another bearer token (null sends none). */
    public AdminClient withToken(String otherToken) {
        return new AdminClient(base, otherToken);
    }

    /** One HTTP answer: status, headers and the body as text ({@link #body()} parses it as JSON). */
    public record Answer(int status, Map<String, List<String>> headers, String text) {
        /** The body as JSON, or null when it is empty. */
        public JsonNode body() {
            return text == null || text.isBlank() ? null : Json.tree(text);
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().getFirst())
                    .findFirst().orElse(null);
        }

        public String contentType() {
            String ct = header("Content-Type");
            return ct == null ? "" : ct;
        }
    }

    /** Any admin-API call under {@code /api/v1}; a String body is sent as it is, anything else as JSON. */
    public Answer send(String method, String path, Object body) {
        return raw(method, "/api/v1" + path, body == null ? null : body instanceof String s ? s : Json.string(body));
    }

    /** Any call relative to the server's root, e.g. {@code /openapi.json} or {@code /api/v1/logs?format=csv}. */
    public Answer raw(String method, String pathFromRoot, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathFromRoot)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (jsonBody == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathFromRoot + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A call that must answer {@code status}; its JSON body (null when empty). */
    public JsonNode expect(int status, String method, String path, Object body) {
        Answer a = send(method, path, body);
        if (a.status() != status) {
            throw new AssertionError(method + " /api/v1" + path + " answered " + a.status() + " (expected " + status + "): " + a.text());
        }
        return a.body();
    }

    // --- catalog

    public String createStdioServer(String name, List<String> command) {
        return expect(201, "POST", "/servers", Map.of("name", name, "transport", "stdio", "command", command)).path("id").asString();
    }

    /** {@code transport} is "streamable-http" or "sse". */
    public String createHttpServer(String name, String transport, String url) {
        return expect(201, "POST", "/servers", Map.of("name", name, "transport", transport, "url", url)).path("id").asString();
    }

    public String createGateway(String name) {
        return expect(201, "POST", "/gateways", Map.of("name", name)).path("id").asString();
    }

    /** Assigns a server with a shared identity; an empty prefix exposes the upstream's own names. */
    public void assign(String gatewayId, String serverId, String prefix) {
        expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + serverId, Map.of("identity", "shared", "prefix", prefix));
    }

    public void deleteServer(String serverId) {
        expect(204, "DELETE", "/servers/" + serverId, null);
    }

    // --- connections

    /** An API-token connection to a gateway: the URL and bearer token an MCP client uses. */
    public record Connection(String id, String gatewayId, String url, String token) {
    }

    /** A new API-token host (named after the gateway) with one connection to {@code gatewayId}. */
    public Connection connect(String gatewayId) {
        return connect(gatewayId, "tests-" + gatewayId);
    }

    /** A new API-token host named {@code hostName} with one connection to {@code gatewayId}. */
    public Connection connect(String gatewayId, String hostName) {
        String host = expect(201, "POST", "/hosts", Map.of("name", hostName)).path("id").asString();
        return connectHost(host, gatewayId, Map.of());
    }

    /** One more connection of an existing host, optionally with upstream identities ({@code serverId → {token}}). */
    public Connection connectHost(String hostId, String gatewayId, Map<String, Object> identities) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("gatewayId", gatewayId);
        if (!identities.isEmpty()) {
            body.put("identities", identities);
        }
        JsonNode c = expect(201, "POST", "/hosts/" + hostId + "/connections", body);
        return new Connection(c.path("id").asString(), gatewayId, c.path("url").asString(), c.path("token").asString());
    }

    public void setEnabled(String connectionId, boolean enabled) {
        JsonNode c = expect(200, "PATCH", "/connections/" + connectionId, Map.of("enabled", enabled));
        if (c.path("enabled").asBoolean() != enabled) {
            throw new AssertionError("connection " + connectionId + " still has enabled=" + !enabled);
        }
    }

    // --- people

    public String createUser(String username, String password, String email) {
        return expect(201, "POST", "/users", Map.of("username", username, "password", password, "email", email)).path("id").asString();
    }

    public String createTeam(String name) {
        return expect(201, "POST", "/teams", Map.of("name", name)).path("id").asString();
    }

    public void addMember(String teamId, String userId) {
        expect(200, "PUT", "/teams/" + teamId + "/members/" + userId, null);
    }

    /** Lets the members of {@code teamId} sign in to {@code gatewayId}. */
    public void grantGateway(String gatewayId, String teamId) {
        expect(200, "PUT", "/gateways/" + gatewayId + "/teams/" + teamId, null);
    }

    /** A person who may use the gateways: a user with a password in a new team of their own that holds them. */
    public record Person(String userId, String teamId, String username, String password) {
    }

    /** Creates a user, a team named {@code USERNAME-team} with them as member, and grants that team each gateway. */
    public Person person(String username, String password, String email, String... gatewayIds) {
        String userId = createUser(username, password, email);
        String teamId = createTeam(username + "-team");
        addMember(teamId, userId);
        for (String gatewayId : gatewayIds) {
            grantGateway(gatewayId, teamId);
        }
        return new Person(userId, teamId, username, password);
    }

    // --- logs

    /** Log records, newest first; {@code query} is the query string without '?'. */
    public List<ObjectNode> logs(String query) {
        ArrayNode rows = (ArrayNode) expect(200, "GET", "/logs?" + query, null);
        return rows.valueStream().map(n -> (ObjectNode) n).toList();
    }
}
