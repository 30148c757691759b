package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.testing.TestNameResolver;

/**
 * {@code gatehouse.http.outbound.*}, the policy for services an administrator names (alert
 * webhooks, DLP webhooks, Presidio): a host name is resolved once and judged by the address it
 * resolves to, whatever the name looks like. Names resolving to cloud metadata (link-local) or any
 * special range are refused in every setting, also when only one of several addresses is bad;
 * loopback and private ones only when private addresses are allowed (the default). Refused
 * requests never reach a server, and a request goes to the address that was checked, even when the
 * name answers differently a moment later (DNS rebinding).
 */
class OutboundPolicyTest {
    private static final OutboundHttp.Policy DEFAULT = OutboundProperties.DEFAULTS.policy(Duration.ofSeconds(10), 4096);
    private static final OutboundHttp.Policy PUBLIC_ONLY = new OutboundProperties(false).policy(Duration.ofSeconds(10), 4096);

    private HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] ok = "{\"ok\":true}".getBytes();
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI at(String host) {
        return URI.create("http://" + host + ":" + server.getAddress().getPort() + "/hook/key");
    }

    @Test
    void aNameResolvingToLoopbackIsReachedByDefaultOverPlainHttp() {
        OutboundHttp.Response r = OutboundHttp.post(at(TestNameResolver.LOOPBACK), Map.of(), "{}", DEFAULT);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("{\"ok\":true}");
        assertThat(OutboundHttp.get(at("localhost"), Map.of(), DEFAULT).status()).isEqualTo(200);
        assertThat(hits.get()).isEqualTo(2);
    }

    @Test
    void withPrivateAddressesOffLoopbackAndPrivateNamesAreRefusedBeforeAnyConnection() {
        for (String host : new String[] {TestNameResolver.LOOPBACK, "localhost", "127.0.0.1", TestNameResolver.INTRANET}) {
            assertThatThrownBy(() -> OutboundHttp.post(at(host), Map.of(), "{}", PUBLIC_ONLY)).as(host)
                    .isInstanceOf(OutboundHttp.Refused.class).hasMessageContaining("which this request may not reach");
        }
        assertThat(hits.get()).as("nothing reached the server").isZero();
    }

    @Test
    void aNameWhoseAnswerChangesAfterTheCheckIsStillReachedAtTheAddressThatWasChecked() throws Exception {
        // Another server on the same port at 127.0.0.2, where the name points from its second lookup on.
        HttpServer elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.2", server.getAddress().getPort()), 0);
        AtomicInteger elsewhereHits = new AtomicInteger();
        elsewhere.createContext("/", ex -> {
            elsewhereHits.incrementAndGet();
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        elsewhere.start();
        try {
            // The test JVM keeps no DNS cache (sun.net.inetaddr.ttl=0 in the build), so a second lookup would see the new answer.
            TestNameResolver.rebindFromNow();
            java.net.InetAddress.getAllByName(TestNameResolver.REBINDING);
            assertThat(java.net.InetAddress.getAllByName(TestNameResolver.REBINDING)[0].getHostAddress())
                    .as("precondition: lookups are not cached in this JVM").isEqualTo("127.0.0.2");

            TestNameResolver.rebindFromNow();
            OutboundHttp.Response r = OutboundHttp.post(at(TestNameResolver.REBINDING), Map.of(), "{}", DEFAULT);
            assertThat(r.status()).isEqualTo(200);
            assertThat(hits.get()).as("the checked address was reached").isEqualTo(1);
            assertThat(elsewhereHits.get()).as("the later answer was never used").isZero();
            assertThat(TestNameResolver.rebindingLookups()).as("the name was looked up once, for the check").isEqualTo(1);
        } finally {
            elsewhere.stop(0);
        }
    }

    @Test
    void cloudMetadataAndOtherSpecialRangesAreRefusedInEverySetting() {
        for (OutboundHttp.Policy p : new OutboundHttp.Policy[] {DEFAULT, PUBLIC_ONLY}) {
            for (String host : new String[] {TestNameResolver.METADATA, TestNameResolver.MIXED, "169.254.169.254", "0.0.0.0",
                    "[::ffff:169.254.169.254]", "[fe80::1]", "224.0.0.1"}) {
                assertThatThrownBy(() -> OutboundHttp.post(at(host), Map.of(), "{}", p)).as(host)
                        .isInstanceOf(OutboundHttp.Refused.class).hasMessageContaining("special address");
            }
        }
        assertThat(hits.get()).isZero();
    }
}
