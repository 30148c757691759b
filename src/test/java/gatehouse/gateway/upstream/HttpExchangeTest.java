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
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.gateway.protocol.JsonRpc;
import tools.jackson.databind.node.ObjectNode;

/** The one HTTP exchange helper of the upstream clients, against loopback servers. */
class HttpExchangeTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final List<String> seenAuthorization = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        released.countDown();
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    private HttpExchange exchange(String url, Map<String, String> headers) {
        ServerDef server = new ServerDef("srv-1", "remote", Transport.STREAMABLE_HTTP, null, null, url, Map.of(), Instant.now(),
                Instant.now());
        HttpExchange io = new HttpExchange(new HttpUpstreamConfig(server, http, headers, Upstreams.ownInitParams(), LONG, LONG, 1 << 16));
        cleanup.add(io::close);
        return io;
    }

    /** A server that records the Authorization header, then hangs until the test ends. */
    private String hangingServer() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/", ex -> {
            seenAuthorization.add(ex.getRequestHeaders().getFirst("Authorization"));
            try {
                released.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // teardown
            }
            ex.close();
        });
        s.start();
        cleanup.add(() -> s.stop(0));
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/mcp";
    }

    @Test
    void anAbortedCallEndsItsSendBeforeAnyHeadersArrive() throws IOException {
        String[] token = {"first"};
        HttpExchange io = exchange(hangingServer(), new AuthorizedHeaders(Map.of(), () -> Map.entry("Authorization", "Bearer " + token[0])));
        PendingCall call = new PendingCall(1, null, null);
        CompletableFuture<HttpResponse<InputStream>> outcome = CompletableFuture.supplyAsync(
                () -> io.send(io.post("{}".getBytes(StandardCharsets.UTF_8)).build(), call));
        await().atMost(Duration.ofSeconds(60)).until(() -> seenAuthorization.size() == 1);
        assertThat(seenAuthorization).containsExactly("Bearer first");

        call.cancelled = true;
        call.abortTransport();
        assertThat(outcome).succeedsWithin(Duration.ofSeconds(60)).as("a cancelled call's send returns nothing").isNull();

        token[0] = "refreshed";
        PendingCall next = new PendingCall(2, null, null);
        io.inBackground(next, () -> io.send(io.post("{}".getBytes(StandardCharsets.UTF_8)).build(), next));
        await().atMost(Duration.ofSeconds(60)).until(() -> seenAuthorization.size() == 2);
        assertThat(seenAuthorization.get(1)).as("headers are read at each request").isEqualTo("Bearer refreshed");
    }

    @Test
    void anUnreachableUpstreamIsNamedWithItsAddressRedacted() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HttpExchange io = exchange("http://127.0.0.1:" + port + "/mcp?key=QUERY-SECRET", Map.of());
        assertThatThrownBy(() -> io.send(io.post(new byte[0]).build(), null))
                .isInstanceOf(UpstreamException.class)
                .hasMessageStartingWith("cannot reach upstream 'remote' at http://127.0.0.1:" + port + "/mcp: ")
                .hasMessageNotContaining("SECRET");
        PendingCall call = new PendingCall(1, null, null);
        io.inBackground(call, () -> io.send(io.post(new byte[0]).build(), call));
        assertThat(call.result).failsWithin(Duration.ofSeconds(60)).withThrowableThat()
                .havingCause().isInstanceOf(UpstreamException.class);
    }

    @Test
    void theEventLoopHandsMessagesOnUntilTheAnswerThenReadsTheRest() throws IOException {
        HttpExchange io = exchange(gatehouse.testing.RefusedPort.url("/mcp"), Map.of());
        String stream = """
                event: message
                data: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}

                event: ping
                data: {"jsonrpc":"2.0","method":"not/a-message-event"}

                data: {not json

                data: {"jsonrpc":"2.0","id":1,"result":{}}

                data: {"jsonrpc":"2.0","method":"notifications/message","params":{}}

                """;
        PendingCall call = new PendingCall(1, null, null);
        List<String> handed = new CopyOnWriteArrayList<>();
        io.readEvents(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), call, true, m -> {
            handed.add(JsonRpc.isResponse(m) ? "response" : JsonRpc.method(m));
            if (JsonRpc.isResponse(m)) {
                call.result.complete(m);
            }
        });
        // The rest is read on a thread of its own, so the caller has its answer at once.
        await().atMost(Duration.ofSeconds(60)).until(() -> handed.size() == 3);
        assertThat(handed).containsExactly("notifications/progress", "response", "notifications/message");

        PendingCall left = new PendingCall(2, null, null);
        List<String> upToTheAnswer = new ArrayList<>();
        io.readEvents(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), left, false, m -> {
            upToTheAnswer.add(JsonRpc.isResponse(m) ? "response" : JsonRpc.method(m));
            if (JsonRpc.isResponse(m)) {
                left.result.complete(m);
            }
        });
        assertThat(upToTheAnswer).as("without draining, nothing after the answer is read").containsExactly("notifications/progress", "response");
    }

    @Test
    void closingStopsTheListenerAndOnlyAcceptedMessagesAreHandedOn() throws IOException {
        HttpExchange io = exchange(gatehouse.testing.RefusedPort.url("/mcp"), Map.of());
        List<ObjectNode> handed = new CopyOnWriteArrayList<>();
        CountDownLatch opened = new CountDownLatch(1);
        io.listen(lastEventId -> {
            opened.countDown();
            return new ByteArrayInputStream("""
                    data: {"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged"}

                    data: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}

                    """.getBytes(StandardCharsets.UTF_8));
        }, m -> !JsonRpc.method(m).endsWith("acknowledged"), handed::add);
        await().atMost(Duration.ofSeconds(60)).until(() -> !handed.isEmpty());
        assertThat(handed.getFirst().path("method").asString()).isEqualTo("notifications/tools/list_changed");
        assertThat(io.close()).isTrue();
        assertThat(io.close()).as("only the first close counts").isFalse();
        await().atMost(Duration.ofSeconds(60)).until(() -> !io.listening());
        io.listen(lastEventId -> {
            throw new AssertionError("a closed exchange opens no stream");
        }, m -> true, handed::add);
        assertThat(io.listening()).isFalse();
    }
}
