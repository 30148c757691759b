package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.platform.Json;

/**
 * Closing a session with a Streamable HTTP upstream never waits for its credential: a shutdown
 * closes every session, and the credential's look-up (the database) may hang or be gone by then.
 * The session is still ended upstream (DELETE with its id) once the credential answers.
 */
class SessionEndTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void aCloseReturnsWhileTheCredentialLookUpHangsAndTheSessionIsEndedWhenItAnswers() throws Exception {
        List<String> deleted = new CopyOnWriteArrayList<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/mcp", ex -> {
            if ("DELETE".equals(ex.getRequestMethod())) {
                deleted.add(ex.getRequestHeaders().getFirst("Mcp-Session-Id") + " " + ex.getRequestHeaders().getFirst("Authorization"));
            }
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders("GET".equals(ex.getRequestMethod()) ? 405 : 202, -1);
            ex.close();
        });
        upstream.start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            AtomicBoolean databaseGone = new AtomicBoolean();
            CountDownLatch answers = new CountDownLatch(1);
            Map<String, String> headers = new AuthorizedHeaders(Map.of(), () -> {
                if (databaseGone.get()) {
                    try {
                        answers.await(); // a look-up that hangs, as one on a pool whose database is gone
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Map.entry("Authorization", "Bearer shared-token");
            });
            String url = "http://127.0.0.1:" + upstream.getAddress().getPort() + "/mcp";
            ServerDef server = new ServerDef("srv-end", "remote", Transport.STREAMABLE_HTTP, null, null, url, Map.of(), Instant.now(),
                    Instant.now());
            StreamableHttpUpstream session = new StreamableHttpUpstream(
                    new HttpUpstreamConfig(server, http, headers, Upstreams.ownInitParams(), LONG, LONG, 1 << 16));
            session.resume(new ResumeState(url, "sess-42", "2025-11-25", Json.object()));

            databaseGone.set(true);
            Thread closing = Thread.ofPlatform().start(session::close);
            assertThat(closing.join(Duration.ofSeconds(30))).as("close() returned while the credential look-up hangs").isTrue();
            assertThat(deleted).isEmpty();

            answers.countDown();
            await().atMost(LONG).until(() -> !deleted.isEmpty());
            assertThat(deleted).containsExactly("sess-42 Bearer shared-token");
        } finally {
            http.close();
            upstream.stop(0);
        }
    }
}
