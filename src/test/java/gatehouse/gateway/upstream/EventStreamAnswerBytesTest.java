package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RawResults;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tool result that a 2025 Streamable HTTP upstream sends as an event stream is read like one it
 * sends as a JSON body: from the event's bytes, in summary when nothing on the gateway reads it,
 * so it goes out as the very bytes the upstream wrote. The upstream is a real HTTP server that
 * answers {@code tools/call} with a progress notification and then the answer, chunked.
 */
class EventStreamAnswerBytesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String INIT_RESULT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"events\",\"version\":\"1\"}}}";
    /** Spacing, an escape and a non-ASCII text that serializing the tree again would not give back. */
    private static final String RESULT = "{ \"content\" : [ {\"type\":\"text\", \"text\":\"caf\u00e9 \\u00e9 "
            + "lorem ipsum dolor sit amet ".repeat(4000) + "\"} ],\t \"isError\" : false }";

    private HttpServer server;
    private StreamableHttpUpstream upstream;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try (ex) {
                byte[] in = ex.getRequestBody().readAllBytes();
                JsonNode body = in.length == 0 ? null : Json.MAPPER.readTree(in);
                String method = body == null ? null : body.path("method").asString(null);
                if ("GET".equals(ex.getRequestMethod())) {
                    reply(ex, 405, null, new byte[0]);
                } else if ("initialize".equals(method)) {
                    ex.getResponseHeaders().set("Mcp-Session-Id", "s-1");
                    reply(ex, 200, "application/json", INIT_RESULT.getBytes(StandardCharsets.UTF_8));
                } else if (body.has("id")) {
                    String progress = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"t\","
                            + "\"progress\":1}}";
                    String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + RESULT + "}";
                    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                    ex.sendResponseHeaders(200, 0); // chunked, as event streams are
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(("event: message\r\ndata: " + progress + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                        out.write(("id: 1\ndata: " + answer + "\n\n").getBytes(StandardCharsets.UTF_8));
                    }
                } else {
                    reply(ex, 202, null, new byte[0]);
                }
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/mcp";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(WAIT).build();
        ServerDef def = new ServerDef("srv-events", "events", Transport.STREAMABLE_HTTP, null, null, url, Map.of(), Instant.now(),
                Instant.now());
        upstream = new StreamableHttpUpstream(new HttpUpstreamConfig(def, http, Map.of(), Upstreams.ownInitParams(), WAIT, WAIT,
                1 << 20));
        upstream.open();
    }

    @AfterEach
    void stop() {
        RawResults.take();
        if (upstream != null) {
            upstream.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static ObjectNode call() {
        ObjectNode params = Json.object().put("name", "big");
        return JsonRpc.request(7, "tools/call", params);
    }

    @Test
    void aToolResultSentAsAnEventIsReadInSummaryAndKeptAsTheUpstreamsBytes() {
        ObjectNode answer = RawResults.passThrough(() -> upstream.call(call(), WAIT, null, null));
        RawResults.Raw raw = RawResults.take();

        assertThat(raw).as("the result's bytes are kept for the way out").isNotNull();
        assertThat(raw.summary()).isTrue();
        assertThat(answer.get("result")).isSameAs(raw.result());
        assertThat(answer.path("result").path("isError").asBoolean(true)).isFalse();
        assertThat(answer.path("result").has("content")).as("the content is not parsed").isFalse();
        assertThat(new String(raw.bytes(), raw.from(), raw.to() - raw.from(), StandardCharsets.UTF_8)).isEqualTo(RESULT);
    }

    @Test
    void outsideAPassThroughTheResultIsParsedWholeAndItsBytesStillKept() {
        ObjectNode answer = upstream.call(call(), WAIT, null, null);
        RawResults.Raw raw = RawResults.take();

        assertThat(answer.path("result").path("content").get(0).path("text").asString()).startsWith("caf\u00e9 \u00e9 lorem");
        assertThat(raw).isNotNull();
        assertThat(raw.summary()).isFalse();
        assertThat(answer.get("result")).isSameAs(raw.result());
        assertThat(new String(raw.bytes(), raw.from(), raw.to() - raw.from(), StandardCharsets.UTF_8)).isEqualTo(RESULT);
    }

    @Test
    void aLongDataLineArrivingInPiecesIsReadWhole() throws IOException {
        String text = "data: " + "\u00e9t\u00e9 ".repeat(30_000);
        byte[] stream = (text + "\r" + "\n" + "\r\n" + "data: a\r\rdata: b\n").getBytes(StandardCharsets.UTF_8);
        InputStream dribble = new ByteArrayInputStream(stream) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7)); // line ends split from their lines
            }
        };
        try (SseReader r = new SseReader(dribble, 1 << 20)) {
            assertThat(r.next().data()).isEqualTo(text.substring("data: ".length()));
            assertThat(List.of(r.next().data(), r.next().data())).containsExactly("a", "b");
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void aLongEventIsCopiedOnceAfterTheBuffersItWasReadInto() throws IOException {
        byte[] stream = ("data: " + "x".repeat(1 << 20) + "\n\n").getBytes(StandardCharsets.UTF_8);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (SseReader r = new SseReader(new ByteArrayInputStream(stream), 4 << 20)) {
            long before = threads.getCurrentThreadAllocatedBytes();
            SseReader.Event e = r.next();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(e.bytes()).hasSize(1 << 20);
            // the buffers the line filled and the event's own array; a line buffer doubling as it fills would add as much again
            assertThat(allocated).isLessThan((long) (2.5 * (1 << 20)));
        }
    }
}
