package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The upstream clients against hostile upstreams: tiny in-process HTTP servers (and a raw socket)
 * that leak secrets in errors, point the SSE endpoint elsewhere, send oversized messages, hang, or
 * refuse a listen stream — faults the conformance fixture cannot produce.
 */
class UpstreamHardeningTest {
    private static final Duration SHORT = Duration.ofSeconds(5);
    private static final String INIT_RESULT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"serverInfo\":{\"name\":\"hostile\",\"version\":\"1\"}}}";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        released.countDown();
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    /** What a fake answers: one handler for every request. */
    interface Handler {
        void handle(HttpExchange ex, JsonNode body) throws Exception;
    }

    private HttpServer serve(Handler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try {
                byte[] in = ex.getRequestBody().readAllBytes();
                handler.handle(ex, in.length == 0 ? null : Json.MAPPER.readTree(in));
            } catch (Exception e) {
                // a hang released at teardown, or a closed client
            } finally {
                ex.close();
            }
        });
        server.start();
        cleanup.add(() -> server.stop(0));
        return server;
    }

    private static String base(HttpServer s) {
        return "http://127.0.0.1:" + s.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    private static String method(JsonNode body) {
        return body == null ? null : body.path("method").asString(null);
    }

    /** A 2025 Streamable HTTP server that initializes and then behaves as {@code rest} says. */
    private Handler streamable(Handler rest) {
        return (ex, body) -> {
            if ("GET".equals(ex.getRequestMethod())) {
                reply(ex, 405, null, "");
            } else if ("initialize".equals(method(body))) {
                ex.getResponseHeaders().set("Mcp-Session-Id", "s-1");
                reply(ex, 200, "application/json", INIT_RESULT);
            } else if ("notifications/initialized".equals(method(body))) {
                reply(ex, 202, null, "");
            } else {
                rest.handle(ex, body);
            }
        };
    }

    private void hang() throws InterruptedException {
        released.await(60, TimeUnit.SECONDS);
    }

    private static ServerDef server(Transport transport, String url, List<String> command) {
        return new ServerDef("srv-1", "hostile", transport, command, null, url,
                Map.of("Authorization", "Bearer HEADER-SECRET"), Instant.now(), Instant.now());
    }

    private StreamableHttpUpstream streamable(String url, Duration requestTimeout, long maxBytes) {
        StreamableHttpUpstream s = new StreamableHttpUpstream(new HttpUpstreamConfig(server(Transport.STREAMABLE_HTTP, url, null),
                http, Map.of("Authorization", "Bearer HEADER-SECRET"), ownInit(), SHORT, requestTimeout, maxBytes));
        cleanup.add(s::close);
        return s;
    }

    private StatelessHttpUpstream stateless(String url, ObjectNode capabilities) {
        ObjectNode discover = Json.object();
        discover.set("capabilities", capabilities);
        StatelessHttpUpstream s = new StatelessHttpUpstream(new HttpUpstreamConfig(server(Transport.STREAMABLE_HTTP, url, null),
                http, Map.of(), ownInit(), SHORT, SHORT, 1 << 20), discover);
        cleanup.add(s::close);
        return s;
    }

    private static ObjectNode ownInit() {
        return Upstreams.ownInitParams();
    }

    private static ObjectNode request(String method) {
        ObjectNode params = Json.object();
        params.put("name", "x");
        return JsonRpc.request(7, method, params);
    }

    // --- 1. error details that reach clients

    @Test
    void urlsInMessagesLoseQueryAndUserInfo() {
        assertThat(UpstreamIo.redact(URI.create("https://user:pw@mcp.example.com:8443/v1/mcp?api_key=SECRET#frag")))
                .isEqualTo("https://mcp.example.com:8443/v1/mcp");
        assertThat(UpstreamIo.redact("http://127.0.0.1/mcp?token=SECRET")).isEqualTo("http://127.0.0.1/mcp");
    }

    @Test
    void unreachableUpstreamIsNamedWithoutItsQueryString() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/mcp?api_key=QUERY-SECRET";
        assertThatThrownBy(() -> streamable(url, SHORT, 1 << 20).open())
                .isInstanceOf(UpstreamException.class)
                .hasMessageContaining("'hostile'").hasMessageContaining("http://127.0.0.1:" + port + "/mcp")
                .hasMessageNotContaining("SECRET");
        assertThatThrownBy(() -> GenerationProbe.discover(new HttpUpstreamConfig(server(Transport.STREAMABLE_HTTP, url, null),
                http, Map.of(), ownInit(), SHORT, SHORT, 1 << 20)))
                .isInstanceOf(UpstreamException.class).hasMessageNotContaining("SECRET");
    }

    @Test
    void httpErrorBodiesStayOutOfClientMessages() throws IOException {
        HttpServer s = serve(streamable((ex, body) ->
                reply(ex, 500, "text/plain", "stack trace: db password=BODY-SECRET")));
        StreamableHttpUpstream up = streamable(base(s) + "/mcp?api_key=QUERY-SECRET", SHORT, 1 << 20);
        up.open();
        assertThatThrownBy(() -> up.call(request("tools/list"), SHORT, null, null))
                .isInstanceOf(UpstreamException.class)
                .hasMessage("upstream 'hostile' answered HTTP 500");

        HttpServer s2 = serve((ex, body) -> reply(ex, 502, "text/html", "<h1>BODY-SECRET</h1>"));
        StatelessHttpUpstream modern = stateless(base(s2) + "/mcp?api_key=QUERY-SECRET", Json.object());
        assertThatThrownBy(() -> modern.call(request("prompts/get"), SHORT, null, null))
                .isInstanceOf(UpstreamException.class)
                .hasMessage("upstream 'hostile' answered HTTP 502");
    }

    @Test
    void stdioStderrIsForAdminsNotInTheReason(@TempDir Path dir) {
        StdioUpstream s = new StdioUpstream(server(Transport.STDIO, null,
                List.of("sh", "-c", "echo 'fatal: STDERR-SECRET' >&2; exit 3")), dir, ownInit(), SHORT, 1 << 20);
        cleanup.add(s::close);
        s.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> !s.startedRecently() && s.stderrTail().contains("fatal: STDERR-SECRET"));
        assertThat(s.unavailableReason()).contains("'hostile'").contains("not running").doesNotContain("STDERR-SECRET");

        StdioUpstream missing = new StdioUpstream(server(Transport.STDIO, null, List.of("/nonexistent/bin/secret-tool", "--key=ARG-SECRET")),
                dir, ownInit(), SHORT, 1 << 20);
        cleanup.add(missing::close);
        missing.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> !missing.startedRecently());
        assertThat(missing.unavailableReason()).contains("failed to start").doesNotContain("SECRET").doesNotContain("nonexistent");
        assertThat(missing.stderrTail()).anyMatch(l -> l.contains("secret-tool"));
    }

    // --- 2. the legacy SSE endpoint stays on the configured origin

    @Test
    void sseEndpointOnAnotherOriginIsRefusedAndNeverPosted() throws IOException {
        AtomicInteger elsewhere = new AtomicInteger();
        HttpServer evil = serve((ex, body) -> {
            elsewhere.incrementAndGet();
            reply(ex, 202, null, "");
        });
        HttpServer sse = serve((ex, body) -> {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(("event: endpoint\ndata: " + base(evil) + "/message?sessionId=1\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            hang();
        });
        SseUpstream up = new SseUpstream(new HttpUpstreamConfig(server(Transport.SSE, base(sse) + "/sse", null), http,
                Map.of("Authorization", "Bearer HEADER-SECRET"), ownInit(), SHORT, SHORT, 1 << 20));
        cleanup.add(up::close);
        assertThatThrownBy(up::open).isInstanceOf(UpstreamException.class)
                .hasMessageContaining("'hostile'").hasMessageContaining("another origin");
        assertThat(elsewhere).hasValue(0);
    }

    @Test
    void sameOriginComparesSchemeHostAndPortWithDefaults() {
        URI base = URI.create("https://mcp.example.com/sse");
        assertThat(UpstreamIo.sameOrigin(base, base.resolve("/message?x=1"))).isTrue();
        assertThat(UpstreamIo.sameOrigin(base, URI.create("https://MCP.example.com:443/m"))).isTrue();
        assertThat(UpstreamIo.sameOrigin(base, URI.create("http://mcp.example.com/m"))).isFalse();
        assertThat(UpstreamIo.sameOrigin(base, URI.create("https://mcp.example.com:8443/m"))).isFalse();
        assertThat(UpstreamIo.sameOrigin(base, base.resolve("//evil.example/m"))).isFalse();
    }

    // --- 3. size limits

    @Test
    void sseEventsAndLinesAreCapped() throws IOException {
        String big = "data: " + "x".repeat(3000) + "\n\n";
        try (SseReader r = new SseReader(new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)), 1024)) {
            assertThatThrownBy(r::next).isInstanceOf(MessageTooLargeException.class).hasMessageContaining("1024");
        }
        String many = "data: " + "x".repeat(600) + "\ndata: " + "y".repeat(600) + "\n\n";
        try (SseReader r = new SseReader(new ByteArrayInputStream(many.getBytes(StandardCharsets.UTF_8)), 1024)) {
            assertThatThrownBy(r::next).isInstanceOf(MessageTooLargeException.class);
        }
        String endless = "data: " + "z".repeat(1 << 20); // no line end at all
        try (SseReader r = new SseReader(new ByteArrayInputStream(endless.getBytes(StandardCharsets.UTF_8)), 1024)) {
            assertThatThrownBy(r::next).isInstanceOf(MessageTooLargeException.class);
        }
    }

    @Test
    void sseLinesEndWithCrLfCrOrLf() throws IOException {
        String s = "data: a\r\n\r\ndata: b\r\rdata: c\n\n";
        try (SseReader r = new SseReader(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), 1024)) {
            assertThat(r.next().data()).isEqualTo("a");
            assertThat(r.next().data()).isEqualTo("b");
            assertThat(r.next().data()).isEqualTo("c");
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void oversizedHttpBodyFailsTheCallClearly() throws IOException {
        String huge = "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"pad\":\"" + "x".repeat(10_000) + "\"}}";
        HttpServer s = serve(streamable((ex, body) -> reply(ex, 200, "application/json", huge)));
        StreamableHttpUpstream up = streamable(base(s) + "/mcp", SHORT, 4096);
        up.open();
        assertThatThrownBy(() -> up.call(request("tools/list"), SHORT, null, null))
                .isInstanceOf(MessageTooLargeException.class)
                .hasMessageContaining("'hostile'").hasMessageContaining("4096 bytes");
    }

    @Test
    void oversizedStdioLineIsDiscardedAndTheReaderGoesOn(@TempDir Path dir) {
        String script = "read line; head -c 5000 /dev/zero | tr '\\0' x; echo; echo '" + INIT_RESULT + "'; exec cat >/dev/null";
        StdioUpstream s = new StdioUpstream(server(Transport.STDIO, null, List.of("sh", "-c", script)), dir, ownInit(),
                SHORT, 1024);
        cleanup.add(s::close);
        s.start();
        await().atMost(Duration.ofSeconds(10)).until(s::isAlive);
        assertThat(s.stderrTail()).anyMatch(l -> l.contains("discarded a stdout line longer than 1024 bytes"));
    }

    // --- 4. timeouts and aborts

    @Test
    void aTimedOutCallClosesItsConnectionEvenBeforeHeaders() throws Exception {
        CountDownLatch connectionClosed = new CountDownLatch(1);
        ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        cleanup.add(socket);
        Thread.ofVirtual().start(() -> {
            try (Socket c = socket.accept(); InputStream in = c.getInputStream()) {
                // read the request, answer nothing, and notice when the client gives up the connection
                while (in.read() != -1) {
                    // drain
                }
                connectionClosed.countDown();
            } catch (IOException ignored) {
                connectionClosed.countDown();
            }
        });
        StatelessHttpUpstream up = stateless("http://127.0.0.1:" + socket.getLocalPort() + "/mcp", Json.object());
        assertThatThrownBy(() -> up.call(request("prompts/get"), Duration.ofMillis(500), null, null))
                .isInstanceOf(McpException.class);
        assertThat(connectionClosed.await(3, TimeUnit.SECONDS)).as("connection closed after the call timed out").isTrue();
    }

    @Test
    void notificationsToAHungUpstreamReturn() throws IOException {
        HttpServer s = serve(streamable((ex, body) -> hang()));
        StreamableHttpUpstream up = streamable(base(s) + "/mcp", Duration.ofMillis(500), 1 << 20);
        up.open();
        // The upstream never answers: returning at all is the event. The bound only ends a hang.
        assertThat(CompletableFuture.runAsync(() -> up.send(JsonRpc.notification("notifications/roots/list_changed", null))))
                .succeedsWithin(Duration.ofMinutes(1));
    }

    // --- 5. the stateless listener

    @Test
    void aRefusedListenStreamLeavesListsToTheirTtl() throws IOException {
        AtomicInteger lists = new AtomicInteger();
        HttpServer s = serve((ex, body) -> {
            if ("subscriptions/listen".equals(method(body))) {
                reply(ex, 404, null, "");
            } else {
                lists.incrementAndGet();
                reply(ex, 200, "application/json", "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id")
                        + ",\"result\":{\"tools\":[],\"ttlMs\":0}}");
            }
        });
        ObjectNode caps = Json.object();
        caps.putObject("tools").put("listChanged", true);
        StatelessHttpUpstream up = stateless(base(s) + "/mcp", caps);
        up.open();
        await().atMost(Duration.ofSeconds(5)).until(() -> !up.listChangesNotified("tools"));
        up.list("tools", SHORT);
        up.list("tools", SHORT);
        assertThat(lists).hasValue(2);
    }

    // --- 6. stateless answers that are not event streams

    /** A server that writes a notification and then the response as JSON values one after another in one body. */
    @Test
    void jsonValuesOneAfterAnotherInOneBodyAreEachRouted() throws IOException {
        HttpServer s = serve((ex, body) -> reply(ex, 200, "application/json",
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"first\"}}\n"
                        + "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}}"));
        StatelessHttpUpstream up = stateless(base(s) + "/mcp", Json.object());
        List<ObjectNode> related = new java.util.concurrent.CopyOnWriteArrayList<>();
        ObjectNode params = Json.object().put("name", "t");
        ObjectNode response = up.call(JsonRpc.request(5L, "tools/call", params), SHORT, (from, m) -> related.add(m), null);
        assertThat(response.path("result").path("content").get(0).path("text").asString()).isEqualTo("done");
        assertThat(related).extracting(JsonRpc::method).containsExactly("notifications/message");
    }

    /** A subscriptions/listen answer that is application/json with one message per line, kept open. */
    @Test
    void aListenStreamOfJsonLinesBringsListChanges() throws IOException {
        CountDownLatch listening = new CountDownLatch(1);
        HttpServer s = serve((ex, body) -> {
            if (!"subscriptions/listen".equals(method(body))) {
                reply(ex, 404, null, "");
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/subscriptions/acknowledged\",\"params\":{}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.write(("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\",\"params\":{\"_meta\":"
                    + "{\"io.modelcontextprotocol/subscriptionId\":\"s1\"}}}\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            listening.countDown();
            released.await();
        });
        ObjectNode caps = Json.object();
        caps.putObject("tools").put("listChanged", true);
        StatelessHttpUpstream up = stateless(base(s) + "/mcp", caps);
        List<String> changed = new java.util.concurrent.CopyOnWriteArrayList<>();
        up.onListChanged(changed::add);
        up.open();
        await().atMost(Duration.ofSeconds(10)).until(() -> changed.contains("tools"));
        assertThat(up.listChangesNotified("tools")).as("the stream counts as a listen stream").isTrue();
    }
}
