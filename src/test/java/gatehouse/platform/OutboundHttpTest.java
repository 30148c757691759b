package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outgoing client against servers that misbehave at the socket level: a trickle of one byte at
 * a time, silence, endless headers, bodies over the cap (declared, chunked, or until close), and
 * addresses it must never reach. Each raw server answers one connection with what the test writes.
 */
class OutboundHttpTest {
    private static final OutboundHttp.Policy LOOPBACK = new OutboundHttp.Policy(AddressPolicy.allowed(false, true), Duration.ofSeconds(2), 1024);
    private static final OutboundHttp.Policy PUBLIC_ONLY = new OutboundHttp.Policy(AddressPolicy.allowed(false, false), Duration.ofSeconds(2), 1024);
    private ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private URI serve(Consumer<OutputStream> answer) throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                connections.incrementAndGet();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                in.read(buf); // the request; its content does not matter here
                answer.accept(s.getOutputStream());
                s.getOutputStream().flush();
            } catch (IOException e) {
                // the client gave up: expected in several tests
            }
        });
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/doc");
    }

    private static void write(OutputStream out, String s) {
        try {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aNormalAnswerIsRead() throws Exception {
        URI u = serve(o -> write(o, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"ok\"}\n"));
        OutboundHttp.Response r = OutboundHttp.get(u, Map.of(), LOOPBACK);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).contains("application/json");
        assertThat(r.text()).isEqualTo("{\"a\":\"ok\"}\n");
    }

    @Test
    void chunkedAnswersAreDecoded() throws Exception {
        URI u = serve(o -> write(o, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n5\r\n:\"b\"}\r\n0\r\n\r\n"));
        assertThat(OutboundHttp.get(u, Map.of(), LOOPBACK).text()).isEqualTo("{\"a\":\"b\"}");
    }

    @Test
    void aByteByByteTrickleEndsAtTheDeadline() throws Exception {
        URI u = serve(o -> {
            write(o, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            for (int i = 0; i < 1000; i++) {
                write(o, "x");
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        OutboundHttp.Policy tight = new OutboundHttp.Policy(LOOPBACK.allowed(), Duration.ofMillis(500), 4096);
        assertThatThrownBy(() -> OutboundHttp.get(u, Map.of(), tight)).isInstanceOf(OutboundHttp.Refused.class)
                .hasMessageContaining("did not answer within");
    }

    @Test
    void silenceEndsAtTheDeadline() throws Exception {
        URI u = serve(o -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                // closed
            }
        });
        OutboundHttp.Policy tight = new OutboundHttp.Policy(LOOPBACK.allowed(), Duration.ofMillis(300), 4096);
        assertThatThrownBy(() -> OutboundHttp.get(u, Map.of(), tight)).isInstanceOf(OutboundHttp.Refused.class);
    }

    @Test
    void bodiesOverTheCapAreRefusedHoweverTheyCome() throws Exception {
        URI declared = serve(o -> write(o, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + "x".repeat(5000)));
        assertThatThrownBy(() -> OutboundHttp.get(declared, Map.of(), LOOPBACK)).hasMessageContaining("more than 1024 bytes");
        close();
        URI chunked = serve(o -> write(o, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + ("200\r\n" + "y".repeat(512) + "\r\n").repeat(4) + "0\r\n\r\n"));
        assertThatThrownBy(() -> OutboundHttp.get(chunked, Map.of(), LOOPBACK)).hasMessageContaining("more than 1024 bytes");
        close();
        URI untilClose = serve(o -> write(o, "HTTP/1.1 200 OK\r\n\r\n" + "z".repeat(5000)));
        assertThatThrownBy(() -> OutboundHttp.get(untilClose, Map.of(), LOOPBACK)).hasMessageContaining("more than 1024 bytes");
    }

    @Test
    void endlessHeadersAndGarbageAreRefused() throws Exception {
        URI headers = serve(o -> {
            write(o, "HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 2000; i++) {
                write(o, "X-Filler-" + i + ": " + "h".repeat(20) + "\r\n");
            }
        });
        assertThatThrownBy(() -> OutboundHttp.get(headers, Map.of(), LOOPBACK)).hasMessageContaining("headers");
        close();
        URI garbage = serve(o -> write(o, "\u0000\u0001garbage that is not HTTP\r\n\r\n"));
        assertThatThrownBy(() -> OutboundHttp.get(garbage, Map.of(), LOOPBACK)).hasMessageContaining("did not answer HTTP");
    }

    @Test
    void forbiddenAddressesAreNeverConnected() throws Exception {
        URI u = serve(o -> write(o, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"));
        assertThatThrownBy(() -> OutboundHttp.get(u, Map.of(), PUBLIC_ONLY)).isInstanceOf(OutboundHttp.Refused.class);
        assertThatThrownBy(() -> OutboundHttp.get(URI.create("https://169.254.169.254/latest/meta-data"), Map.of(), LOOPBACK))
                .hasMessageContaining("special");
        assertThatThrownBy(() -> OutboundHttp.get(URI.create("https://[::ffff:10.0.0.1]/x"), Map.of(), LOOPBACK))
                .hasMessageContaining("private");
        assertThatThrownBy(() -> OutboundHttp.get(URI.create("http://8.8.8.8/x"), Map.of(), LOOPBACK))
                .as("plain http only to loopback").hasMessageContaining("https");
        assertThatThrownBy(() -> OutboundHttp.get(URI.create("https://user:pw@example.com/x"), Map.of(), LOOPBACK))
                .hasMessageContaining("user info").hasMessageNotContaining("pw");
        assertThat(connections).as("nothing reached the listening server").hasValue(0);
    }

    @Test
    void headerInjectionIsRefused() throws Exception {
        URI u = serve(o -> write(o, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"));
        assertThatThrownBy(() -> OutboundHttp.get(u, Map.of("X-A", "1\r\nX-Injected: 2"), LOOPBACK)).hasMessageContaining("line break");
    }
}
