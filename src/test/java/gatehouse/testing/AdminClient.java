package gatehouse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The admin API over real HTTP, as an operator (or a script) would drive it. */
public final class AdminClient {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String token;

    public AdminClient(String base, String token) {
        this.base = base;
        this.token = token;
    }

    public record Answer(int status, JsonNode body) {
    }

    public Answer send(String method, String path, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1" + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.string(body)));
        }
        try {
            HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(resp.statusCode(), resp.body().isBlank() ? null : Json.tree(resp.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonNode expect(int status, String method, String path, Object body) {
        Answer a = send(method, path, body);
        if (a.status() != status) {
            throw new AssertionError(method + " " + path + " answered " + a.status() + " (expected " + status + "): " + a.body());
        }
        return a.body();
    }

    public String createStdioServer(String name, List<String> command) {
        return expect(201, "POST", "/servers", Map.of("name", name, "transport", "stdio", "command", command)).path("id").asString();
    }

    public String createHttpServer(String name, String transport, String url) {
        return expect(201, "POST", "/servers", Map.of("name", name, "transport", transport, "url", url)).path("id").asString();
    }

    public String createGateway(String name) {
        return expect(201, "POST", "/gateways", Map.of("name", name)).path("id").asString();
    }

    public void assign(String gatewayId, String serverId, String prefix) {
        expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + serverId, Map.of("identity", "shared", "prefix", prefix));
    }

    /** An API-token connection to the gateway. */
    public record Connection(String id, String gatewayId, String token) {
    }

    public Connection connect(String gatewayId) {
        String host = expect(201, "POST", "/hosts", Map.of("name", "tests-" + gatewayId)).path("id").asString();
        JsonNode c = expect(201, "POST", "/hosts/" + host + "/connections", Map.of("gatewayId", gatewayId));
        return new Connection(c.path("id").asString(), gatewayId, c.path("token").asString());
    }

    public void setEnabled(String connectionId, boolean enabled) {
        JsonNode c = expect(200, "PATCH", "/connections/" + connectionId, Map.of("enabled", enabled));
        if (c.path("enabled").asBoolean() != enabled) {
            throw new AssertionError("connection " + connectionId + " still has enabled=" + !enabled);
        }
    }

    public void deleteServer(String serverId) {
        expect(204, "DELETE", "/servers/" + serverId, null);
    }

    /** Log records, newest first; {@code query} is the query string without '?'. */
    public List<ObjectNode> logs(String query) {
        ArrayNode rows = (ArrayNode) expect(200, "GET", "/logs?" + query, null);
        return rows.valueStream().map(n -> (ObjectNode) n).toList();
    }
}
