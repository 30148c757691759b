package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;

import gatehouse.testing.TestNameResolver;
import org.junit.jupiter.api.Test;

/**
 * Kept connections for content services: a loopback HTTP/1.1 server counts the connections it
 * accepts and the requests it answers, so the tests see whether messages share a connection, that a
 * connection the server dropped is replaced, and that every message is still vetted first.
 */
class OutboundPoolTest {
    private static final OutboundHttp.Policy LOOPBACK = new OutboundHttp.Policy(AddressPolicy.allowed(false, true), Duration.ofSeconds(30), 1024);
    private static final OutboundHttp.Policy PUBLIC_ONLY = new OutboundHttp.Policy(AddressPolicy.allowed(false, false), Duration.ofSeconds(30), 1024);
    private final OutboundHttp.Pool pool = new OutboundHttp.Pool(Duration.ofSeconds(60), 4);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        pool.clear();
        if (server != null) {
            server.close();
        }
    }

    /** A server answering every request on a connection; {@code closeAfterAnswer} drops the connection after each. */
    private URI serve(boolean closeAfterAnswer, String extraHeader) throws IOException {
        server = listen(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), accepted, closeAfterAnswer, extraHeader);
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/analyze");
    }

    private ServerSocket listen(ServerSocket socket, AtomicInteger count, boolean closeAfterAnswer, String extraHeader) {
        Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    count.incrementAndGet();
                    Thread.ofVirtual().start(() -> answerAll(s, closeAfterAnswer, extraHeader));
                } catch (IOException e) {
                    return; // the server was closed
                }
            }
        });
        return socket;
    }

    private void answerAll(Socket s, boolean closeAfterAnswer, String extraHeader) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                int length = -1;
                String line;
                while (!(line = line(in)).isEmpty()) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                byte[] body = in.readNBytes(Math.max(0, length));
                String answer = "{\"n\":" + requests.incrementAndGet() + ",\"echo\":" + new String(body, StandardCharsets.UTF_8) + "}";
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extraHeader + "Content-Length: " + answer.length()
                        + "\r\n\r\n" + answer).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (closeAfterAnswer) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client closed the connection: the end of this conversation
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void messagesShareOneConnection() throws Exception {
        URI u = serve(false, "");
        for (int i = 1; i <= 5; i++) {
            OutboundHttp.Response r = pool.post(u, Map.of("Content-Type", "application/json"), "[" + i + "]", LOOPBACK);
            assertThat(r.text()).isEqualTo("{\"n\":" + i + ",\"echo\":[" + i + "]}");
        }
        assertThat(accepted).as("five messages, one connection").hasValue(1);
        // without the pool, every message opens its own connection
        OutboundHttp.post(u, Map.of(), "[6]", LOOPBACK);
        assertThat(accepted).hasValue(2);
    }

    @Test
    void aConnectionTheServerDroppedIsReplaced() throws Exception {
        URI u = serve(true, "");
        assertThat(pool.post(u, Map.of(), "[1]", LOOPBACK).text()).contains("\"n\":1");
        assertThat(pool.post(u, Map.of(), "[2]", LOOPBACK).text()).contains("\"n\":2");
        assertThat(accepted).hasValue(2);
    }

    @Test
    void anAnswerThatClosesIsNotKept() throws Exception {
        URI u = serve(false, "Connection: close\r\n");
        pool.post(u, Map.of(), "[1]", LOOPBACK);
        pool.post(u, Map.of(), "[2]", LOOPBACK);
        assertThat(accepted).hasValue(2);
    }

    @Test
    void everyMessageIsVettedEvenWithAKeptConnection() throws Exception {
        URI u = serve(false, "");
        pool.post(u, Map.of(), "[1]", LOOPBACK);
        assertThat(accepted).hasValue(1);
        // the same destination under a policy that no longer allows loopback: refused before the kept connection is used
        assertThatThrownBy(() -> pool.post(u, Map.of(), "[2]", PUBLIC_ONLY)).isInstanceOf(OutboundHttp.Refused.class);
        assertThatThrownBy(() -> pool.post(URI.create("http://169.254.169.254/latest/meta-data"), Map.of(), "{}", LOOPBACK))
                .isInstanceOf(OutboundHttp.Refused.class);
        assertThatThrownBy(() -> pool.post(URI.create("https://169.254.169.254/latest/meta-data"), Map.of(), "{}", LOOPBACK))
                .hasMessageContaining("special");
        assertThatThrownBy(() -> pool.post(URI.create("https://[::ffff:10.0.0.1]/x"), Map.of(), "{}", LOOPBACK))
                .hasMessageContaining("private");
        assertThat(requests).as("only the first message reached the server").hasValue(1);
        // a different host name for the same address is a different destination (TLS would name another host)
        pool.post(URI.create("http://localhost:" + u.getPort() + "/analyze"), Map.of(), "[3]", LOOPBACK);
        assertThat(accepted).hasValue(2);
        pool.post(u, Map.of(), "[4]", LOOPBACK);
        assertThat(accepted).as("the first connection is still kept for its own destination").hasValue(2);
    }

    @Test
    void aKeptConnectionIsNotUsedOnceTheNameAnswersAnotherAddress() throws Exception {
        URI first = serve(false, "");
        AtomicInteger acceptedElsewhere = new AtomicInteger();
        // the address the name points to from its second lookup on, same port
        try (ServerSocket elsewhere = listen(new ServerSocket(first.getPort(), 50, InetAddress.ofLiteral("127.0.0.2")), acceptedElsewhere, false, "")) {
            URI u = URI.create("http://" + TestNameResolver.REBINDING + ":" + first.getPort() + "/analyze");
            TestNameResolver.rebindFromNow();
            pool.post(u, Map.of(), "[1]", LOOPBACK);
            assertThat(accepted).hasValue(1);
            // the name now answers 127.0.0.2: the message is vetted again and goes there, not over the kept connection
            pool.post(u, Map.of(), "[2]", LOOPBACK);
            assertThat(TestNameResolver.rebindingLookups()).as("looked up once per message").isEqualTo(2);
            assertThat(requests).as("both servers answered one message each").hasValue(2);
            assertThat(accepted).hasValue(1);
            assertThat(acceptedElsewhere).hasValue(1);
            pool.post(u, Map.of(), "[3]", LOOPBACK);
            assertThat(acceptedElsewhere).as("the connection to the new address is kept in turn").hasValue(1);
        }
        // a name that answers cloud metadata is refused before any connection, kept or new
        assertThatThrownBy(() -> pool.post(URI.create("http://" + TestNameResolver.METADATA + ":" + first.getPort() + "/x"), Map.of(), "{}",
                LOOPBACK)).isInstanceOf(OutboundHttp.Refused.class);
        assertThat(requests).hasValue(3);
    }
}
