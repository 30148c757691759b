package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient.Connection;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import gatehouse.testing.McpTestClient.Result;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Abuse limits and the HTTP edge, attacked through the running gateway (its own configuration, so
 * its own application context): a connection and a gateway flooded with requests get HTTP 429 with
 * {@code Retry-After} and a JSON-RPC error in both protocol generations while others go on; a request
 * for a foreign Host name (DNS rebinding) is refused before any route; forwarded addresses count
 * only from a trusted proxy. Limits are per hour so nothing refills while a test runs.
 */
@TestPropertySource(properties = {
        "gatehouse.rate-limit.per-connection.requests=5",
        "gatehouse.rate-limit.per-connection.per=1h",
        "gatehouse.rate-limit.per-gateway.requests=12",
        "gatehouse.rate-limit.per-gateway.per=1h",
        "gatehouse.http.allowed-hosts=mcp.internal",
        "gatehouse.http.trusted-proxies=127.0.0.1",
        "gatehouse.oauth.registrations-per-hour-per-address=2",
})
class AbuseLimitsThroughGatewayTest extends GatewayTestSupport {

    private McpTestClient session(Connection c) {
        McpTestClient client = client(c);
        assertThat(client.initialize(Json.object()).status()).isEqualTo(200);
        return client;
    }

    private static Result statelessPing(McpTestClient client) {
        ObjectNode params = Json.object();
        ObjectNode meta = params.putObject("_meta");
        meta.put(StatelessEnvelope.PROTOCOL_VERSION, "2026-07-28");
        meta.set(StatelessEnvelope.CLIENT_CAPABILITIES, Json.object());
        return client.send(client.request("ping", params), Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "ping"));
    }

    private static void assertThrottled(Result r, String limit) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(429);
        long retryAfter = Long.parseLong(r.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 3600L);
        JsonNode error = r.error();
        assertThat(error.path("code").asInt()).isEqualTo(JsonRpc.RATE_LIMITED);
        assertThat(error.path("message").asString()).startsWith("Too many requests: the " + limit + " limit of ")
                .endsWith("retry after " + retryAfter + " s");
        assertThat(error.path("data").path("limit").asString()).isEqualTo(limit);
    }

    @Test
    void aFloodingConnectionGets429WithRetryAfterAndOthersGoOn() {
        String gateway = admin.createGateway(unique("flood"));
        Connection flooder = admin.connect(gateway);
        Connection neighbour = admin.connect(gateway);
        McpTestClient c = session(flooder);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(c.call("ping", null).status());
        }
        assertThat(statuses).containsOnly(200);

        ObjectNode sixth = c.request("tools/list", null);
        Result over = c.send(sixth, Map.of());
        Result stateless = statelessPing(client(flooder));

        assertThrottled(over, "connection");
        assertThat(over.response().path("id").asLong()).as("the refusal answers the request").isEqualTo(sixth.path("id").asLong());
        assertThrottled(stateless, "connection");
        assertThat(session(neighbour).call("tools/list", null).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(admin.send("GET", "/alerts", null).body())
                .anySatisfy(a -> {
                    assertThat(a.path("type").asString()).isEqualTo("rate-limited");
                    assertThat(a.path("subject").asString()).isEqualTo("connection " + flooder.id());
                }));
        List<ObjectNode> throttled = awaitLogs("connection=" + flooder.id() + "&limit=100",
                r -> "throttled".equals(r.path("status").asString(null)), 2);
        assertThat(throttled).allSatisfy(r -> assertThat(r.path("errorCode").asInt()).isEqualTo(JsonRpc.RATE_LIMITED));
    }

    @Test
    void aGatewayIsLimitedForEveryoneOnItAndOtherGatewaysAreNot() {
        String gateway = admin.createGateway(unique("busy"));
        for (int i = 0; i < 3; i++) {
            McpTestClient c = session(admin.connect(gateway));
            for (int j = 0; j < 4; j++) {
                assertThat(c.call("ping", null).status()).isEqualTo(200);
            }
        }
        assertThrottled(session(admin.connect(gateway)).call("ping", null), "gateway");
        assertThrottled(statelessPing(client(admin.connect(gateway))), "gateway");
        assertThat(session(admin.connect(admin.createGateway(unique("quiet")))).call("ping", null).status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ Host (DNS rebinding)

    @Test
    void aForeignHostNameIsRefusedBeforeAnyRouteWithoutAToken() throws IOException {
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
        String rebound = raw("POST", "/gateway/v1/mcp", "attacker.example:" + port, ping);
        assertThat(rebound).startsWith("HTTP/1.1 421").contains("\"code\":-32600").contains("gatehouse.http.allowed-hosts")
                .doesNotContain("WWW-Authenticate");
        assertThat(raw("GET", "/api/v1/servers", "attacker.example", null)).startsWith("HTTP/1.1 421").contains("application/problem+json");
        assertThat(raw("GET", "/login", "localhost.attacker.example", null)).startsWith("HTTP/1.1 421");
        // Gatehouse's own names: the public URL's host, configured ones, loopback names, addresses.
        for (String host : List.of("gatehouse.example", "mcp.internal:443", "localhost:" + port, "127.0.0.1:" + port)) {
            assertThat(raw("POST", "/gateway/v1/mcp", host, ping)).as(host).startsWith("HTTP/1.1 401");
        }
        assertThat(raw("GET", "/healthz", "10-1-2-3.pod.cluster.local", null)).startsWith("HTTP/1.1 200");
    }

    // ------------------------------------------------------------------ trusted proxies

    @Test
    void behindATrustedProxyEachClientIsLimitedByItsOwnAddress() {
        // 127.0.0.1 is the trusted proxy here, so X-Forwarded-For names the client.
        String body = "{\"redirect_uris\":[\"http://127.0.0.1:9/callback\"],\"client_name\":\"proxied\","
                + "\"token_endpoint_auth_method\":\"none\",\"grant_types\":[\"authorization_code\"],\"response_types\":[\"code\"]}";
        List<Integer> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(register(body, "203.0.113.10"));
        }
        assertThat(first.subList(0, 2)).doesNotContain(429);
        assertThat(first.get(2)).as("the third registration from one client address").isEqualTo(429);
        assertThat(register(body, "203.0.113.11")).as("another client behind the same proxy").isNotEqualTo(429);
        // A client that writes its own X-Forwarded-For is judged by the address the proxy appended.
        assertThat(register(body, "198.51.100.1, 203.0.113.10")).isEqualTo(429);
    }

    private int register(String body, String forwardedFor) {
        try {
            return Integer.parseInt(raw("POST", "/oauth2/register", "127.0.0.1:" + port, body, "X-Forwarded-For: " + forwardedFor)
                    .substring(9, 12));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One HTTP/1.1 exchange over a socket: the JDK client refuses to send a Host header of our choosing. */
    private String raw(String method, String path, String host, String body, String... headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + "Accept: application/json, text/event-stream\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            if (body != null) {
                req.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------ a gateway's own limits (admin API)

    @Test
    void aGatewaysOwnRateLimitSetThroughTheAdminApiThrottlesItsConnections() {
        String gateway = admin.createGateway(unique("own-limit"));
        var set = admin.send("PATCH", "/gateways/" + gateway, Map.of("rateLimit", Map.of("perConnectionPerMinute", 2, "burst", 2)));
        assertThat(set.status()).as("%s", set.body()).isEqualTo(200);
        assertThat(set.body().path("rateLimit").path("perConnectionPerMinute").asInt()).isEqualTo(2);
        assertThat(set.body().path("rateLimit").path("burst").asInt()).isEqualTo(2);
        assertThat(admin.send("GET", "/gateways/" + gateway, null).body().path("rateLimit").path("perUserPerMinute").asInt()).isZero();

        McpTestClient c = session(admin.connect(gateway));
        assertThat(c.call("ping", null).status()).isEqualTo(200);
        assertThat(c.call("ping", null).status()).isEqualTo(200);
        Result third = c.call("ping", null); // the burst of 2 is used up (the handshake is not counted)
        assertThrottled(third, "connection");
        assertThat(Long.parseLong(third.header("Retry-After"))).as("one request a half minute").isBetween(1L, 30L);
        assertThrottled(throttledAfterBurst(gateway), "connection");

        // removing it gives the gateway the settings' limits again (5 per hour per connection here)
        var cleared = admin.send("PATCH", "/gateways/" + gateway, Json.MAPPER.readTree("{\"rateLimit\":null}"));
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(cleared.body().path("rateLimit").path("perConnectionPerMinute").isMissingNode()).as("%s", cleared.body()).isTrue();
        assertThat(c.call("ping", null).status()).isEqualTo(200);
    }

    /**
     * A fresh stateless connection on the gateway sends until its own burst of 2 is used up; the
     * third is refused (2026-07-28 has no ping, so the two admitted ones answer 404, but they count).
     */
    private Result throttledAfterBurst(String gateway) {
        McpTestClient s = client(admin.connect(gateway));
        Result r = statelessPing(s);
        for (int i = 0; i < 2 && r.status() != 429; i++) {
            r = statelessPing(s);
        }
        return r;
    }

    @Test
    void badRateLimitsAreRefusedNamingTheField() {
        String gateway = admin.createGateway(unique("bad-limit"));
        var negative = admin.send("PATCH", "/gateways/" + gateway, Map.of("rateLimit", Map.of("perConnectionPerMinute", -1)));
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.body().toString()).contains("rateLimit.perConnectionPerMinute");
        var unknown = admin.send("PATCH", "/gateways/" + gateway, Map.of("rateLimit", Map.of("perSecond", 5)));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().toString()).contains("rateLimit.perSecond");
        var nothing = admin.send("PATCH", "/gateways/" + gateway, Map.of("rateLimit", Map.of("burst", 5)));
        assertThat(nothing.status()).isEqualTo(400);
        assertThat(admin.send("GET", "/gateways/" + gateway, null).body().path("rateLimit").path("burst").isMissingNode()).isTrue();
    }
}
