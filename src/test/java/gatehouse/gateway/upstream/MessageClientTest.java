package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;

/**
 * The message client against raw loopback servers written here, so each wire detail (chunks,
 * closing, silence) is under the test's control; the TLS test uses a certificate made by the JDK's
 * keytool for this run.
 */
class MessageClientTest {
    private static final Duration LONG = Duration.ofSeconds(60);
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        released.countDown();
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    /** What a scripted server does with one request; false ends the connection (the server closes it). */
    @FunctionalInterface
    interface Script {
        boolean answer(int requestNo, String requestHead, byte[] body, OutputStream out, Socket socket) throws Exception;
    }

    /** A raw HTTP/1.1 server on loopback that counts connections and requests and runs {@code script} for each request. */
    private final class RawServer implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        final List<String> heads = new CopyOnWriteArrayList<>();
        final CountDownLatch connectionEnded = new CountDownLatch(1);

        RawServer(ServerSocket socket, Script script) {
            this.socket = socket;
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    Socket s;
                    try {
                        s = socket.accept();
                    } catch (IOException e) {
                        return;
                    }
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s, script));
                }
            });
            cleanup.add(this);
        }

        RawServer(Script script) throws IOException {
            this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), script);
        }

        private void serve(Socket s, Script script) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    int length = 0;
                    for (String line : head.split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    byte[] body = in.readNBytes(length);
                    heads.add(head);
                    if (!script.answer(requests.incrementAndGet(), head, body, out, s)) {
                        return;
                    }
                    out.flush();
                }
            } catch (Exception e) {
                // the client went away
            } finally {
                connectionEnded.countDown();
            }
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/mcp?key=k");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                return new String(h, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static boolean json(OutputStream out, String body) throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        return true;
    }

    private MessageClient client() {
        MessageClient c = new MessageClient(LONG);
        cleanup.add(c);
        return c;
    }

    private static String post(MessageClient client, URI uri, String body) throws IOException {
        try (MessageClient.Response r = client.post(uri, List.of("Content-Type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8), LONG, true, new MessageClient.Abort())) {
            return r.status() + " " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aKeptConnectionCarriesTheNextPostsAndTheRequestIsWellFormed() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> json(out, "{\"n\":" + n + ",\"echo\":"
                + new String(body, StandardCharsets.UTF_8) + "}"));
        MessageClient client = client();
        for (int i = 1; i <= 3; i++) {
            assertThat(post(client, server.uri(), "{\"i\":" + i + "}")).isEqualTo("200 {\"n\":" + i + ",\"echo\":{\"i\":" + i + "}}");
        }
        assertThat(server.accepted.get()).as("three POSTs, one connection").isEqualTo(1);
        assertThat(client.connectionsOpened()).isEqualTo(1);
        assertThat(client.idleConnections()).isEqualTo(1);
        assertThat(server.heads.getFirst()).startsWith("POST /mcp?key=k HTTP/1.1\r\n")
                .contains("\r\nHost: 127.0.0.1:" + server.socket.getLocalPort() + "\r\n")
                .contains("\r\nContent-Length: 7\r\n").contains("\r\nContent-Type: application/json\r\n");
    }

    @Test
    void chunkedBodiesAreReadAcrossChunksAndTheConnectionIsKept() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> {
            write(out, "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n");
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n");
            write(out, "5;ext=1\r\nhello\r\n");
            write(out, "7\r\n, world\r\n");
            write(out, "0\r\nX-Trailer: t\r\n\r\n");
            return true;
        });
        MessageClient client = client();
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 hello, world");
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 hello, world");
        assertThat(server.accepted.get()).isEqualTo(1);
    }

    @Test
    void aBodyWithoutLengthEndsWithItsConnectionWhichIsNotKept() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"to\":\"the end\"}");
            return false;
        });
        MessageClient client = client();
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 {\"to\":\"the end\"}");
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 {\"to\":\"the end\"}");
        assertThat(server.accepted.get()).isEqualTo(2);
        assertThat(client.idleConnections()).isZero();
    }

    @Test
    void anAbortEndsAReadMidBodyAndThatConnectionIsNeverReused() throws Exception {
        RawServer server = new RawServer((n, head, body, out, s) -> {
            if (n == 1) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
                write(out, "f\r\ndata: {\"a\":1}\n\n\r\n");
                released.await(90, TimeUnit.SECONDS);
                return false;
            }
            return json(out, "{}");
        });
        MessageClient client = client();
        MessageClient.Abort abort = new MessageClient.Abort();
        MessageClient.Response r = client.post(server.uri(), List.of(), new byte[0], LONG, false, abort);
        InputStream body = r.body();
        byte[] first = new byte[15];
        assertThat(body.readNBytes(first, 0, 15)).isEqualTo(15);
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return body.read();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        abort.abort();
        assertThat(blocked).failsWithin(LONG).withThrowableThat().havingRootCause().isInstanceOf(IOException.class);
        assertThat(client.idleConnections()).isZero();
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 {}");
        assertThat(server.accepted.get()).as("the aborted connection was not reused").isEqualTo(2);
    }

    @Test
    void anAbortBeforeTheExchangeBeganSendsNothing() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> json(out, "{}"));
        MessageClient.Abort abort = new MessageClient.Abort();
        abort.abort();
        assertThatThrownBy(() -> client().post(server.uri(), List.of(), new byte[0], LONG, true, abort)).isInstanceOf(IOException.class);
        assertThat(server.requests.get()).isZero();
    }

    @Test
    void aServerSilentPastTheHeadTimeoutFailsTheExchangeWithATimeout() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> {
            released.await(90, TimeUnit.SECONDS);
            return false;
        });
        MessageClient client = client();
        assertThatThrownBy(() -> client.post(server.uri(), List.of(), new byte[0], Duration.ofMillis(200), true, new MessageClient.Abort()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(client.idleConnections()).isZero();
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedBeforeThePostIsWritten() throws Exception {
        // The server closes every connection after its answer, without saying so (as on an idle timeout).
        RawServer server = new RawServer((n, head, body, out, s) -> json(out, "{\"n\":" + n + "}") && false);
        MessageClient client = client();
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 {\"n\":1}");
        assertThat(client.idleConnections()).as("kept: nothing said it would close").isEqualTo(1);
        assertThat(server.connectionEnded.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 {\"n\":2}");
        assertThat(server.requests.get()).as("each POST reached the server once").isEqualTo(2);
        assertThat(client.connectionsOpened()).isEqualTo(2);
    }

    @Test
    void aPostIsNeverSentTwiceWhenTheServerDropsItUnanswered() throws IOException {
        // First answered on a kept connection; the second request is read and the connection dropped.
        RawServer server = new RawServer((n, head, body, out, s) -> n == 1 && json(out, "{}"));
        MessageClient client = client();
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 {}");
        assertThatThrownBy(() -> post(client, server.uri(), "{}")).isInstanceOf(IOException.class);
        assertThat(server.requests.get()).as("no retry of a request the server may have acted on").isEqualTo(2);
    }

    @Test
    void idleConnectionsAreClosedByTheSweepAndByTheServersKeepAliveTimeout() throws Exception {
        RawServer server = new RawServer((n, head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\n{}");
            return true;
        });
        MessageClient client = client();
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 {}");
        assertThat(client.idleConnections()).as("a server keeping it 1 s: not kept at all").isZero();

        RawServer keeping = new RawServer((n, head, body, out, s) -> json(out, "{}"));
        // An idle limit of seconds, not milliseconds: the connection must still be there when it is
        // counted right after the call, even on a machine that stalls for a moment.
        MessageClient brief = new MessageClient(LONG, Duration.ofSeconds(3), null);
        cleanup.add(brief);
        assertThat(post(brief, keeping.uri(), "{}")).isEqualTo("200 {}");
        assertThat(brief.idleConnections()).as("kept after the call").isEqualTo(1);
        await().atMost(LONG).until(() -> brief.idleConnections() == 0);
        assertThat(keeping.connectionEnded.await(60, TimeUnit.SECONDS)).as("the sweep closed it").isTrue();
        assertThat(MessageClient.keepAliveNanos("timeout=5, max=100")).isEqualTo(TimeUnit.SECONDS.toNanos(4));
    }

    @Test
    void anOversizedBodyIsRefusedAndItsConnectionClosed() throws Exception {
        String big = "{\"x\":\"" + "a".repeat(5000) + "\"}";
        RawServer server = new RawServer((n, head, body, out, s) -> json(out, n == 1 ? big : "{}"));
        ServerDef def = new ServerDef("srv-1", "remote", Transport.STREAMABLE_HTTP, null, null, server.uri().toString(), Map.of(),
                Instant.now(), Instant.now());
        MessageClient client = client();
        HttpExchange io = new HttpExchange(new HttpUpstreamConfig(def, HttpClient.newHttpClient(), client, Map.of("X-Server", "configured"),
                Upstreams.ownInitParams(), LONG, LONG, 1024));
        MessageClient.Response r = io.postMessage("{}".getBytes(StandardCharsets.UTF_8), List.of("Mcp-Method", "tools/call"), null, LONG);
        try (InputStream in = r.body()) {
            assertThatThrownBy(() -> io.readBody(in)).isInstanceOf(MessageTooLargeException.class);
        }
        assertThat(client.idleConnections()).isZero();
        assertThat(server.heads.getFirst()).contains("\r\nX-Server: configured\r\n").contains("\r\nMcp-Method: tools/call\r\n")
                .contains("\r\nAccept: application/json, text/event-stream\r\n");
        try (MessageClient.Response next = io.postMessage(new byte[0], List.of(), null, LONG)) {
            assertThat(io.readBody(next.body())).asString(StandardCharsets.UTF_8).isEqualTo("{}");
        }
        assertThat(server.accepted.get()).isEqualTo(2);
    }

    @Test
    void headersWithLineBreaksOrManagedNamesAreRefused() {
        MessageClient client = client();
        URI uri = URI.create("http://127.0.0.1:9/mcp");
        assertThatThrownBy(() -> client.post(uri, List.of("X-A", "v\r\nInjected: 1"), new byte[0], LONG, true, new MessageClient.Abort()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.post(uri, List.of("Content-Length", "5"), new byte[0], LONG, true, new MessageClient.Abort()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- TLS

    /** A key store with a self-signed certificate for {@code name}, made by the JDK's keytool. */
    private static Path keyStore(Path dir, String name) throws Exception {
        Path ks = dir.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "k", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-ext", "san=dns:" + name, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
        return ks;
    }

    private static KeyStore load(Path ks) throws Exception {
        KeyStore k = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(new File(ks.toString()))) {
            k.load(in, "changeit".toCharArray());
        }
        return k;
    }

    @Test
    void tlsPresentsTheHostNameAndVerifiesTheCertificateAgainstIt(@TempDir Path dir) throws Exception {
        KeyStore serverKeys = load(keyStore(dir, "localhost"));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(serverKeys, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        List<String> sni = new CopyOnWriteArrayList<>();
        SSLServerSocket listening = (SSLServerSocket) serverTls.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        RawServer server = new RawServer(listening, (n, head, body, out, s) -> {
            ((ExtendedSSLSession) ((SSLSocket) s).getSession()).getRequestedServerNames()
                    .forEach(x -> sni.add(((SNIHostName) x).getAsciiName()));
            return json(out, "{\"tls\":" + n + "}");
        });

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        Certificate cert = serverKeys.getCertificate("k");
        trust.setCertificateEntry("server", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);
        MessageClient client = new MessageClient(LONG, MessageClient.IDLE_LIMIT, clientTls.getSocketFactory());
        cleanup.add(client);

        int port = listening.getLocalPort();
        URI named = URI.create("https://localhost:" + port + "/mcp");
        assertThat(post(client, named, "{}")).isEqualTo("200 {\"tls\":1}");
        assertThat(post(client, named, "{}")).isEqualTo("200 {\"tls\":2}");
        assertThat(server.accepted.get()).as("the TLS connection is kept too").isEqualTo(1);
        assertThat(sni).contains("localhost");

        // Dialled by address, the certificate (for "localhost" only) does not match: refused before any request.
        URI byAddress = URI.create("https://127.0.0.1:" + port + "/mcp");
        assertThatThrownBy(() -> post(client, byAddress, "{}")).isInstanceOf(IOException.class);
        assertThat(server.requests.get()).isEqualTo(2);
    }

    @Test
    void aLargeBodyIsSentWholeEvenWhenItsHeadIsLarger() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> json(out, "{\"got\":" + body.length + "}"));
        MessageClient client = client();
        byte[] body = ("{\"x\":\"" + "b".repeat(20_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (MessageClient.Response r = client.post(server.uri(), List.of("Mcp-Param-Big", "v".repeat(30_000)), body,
                Duration.ofSeconds(20), true,
                new MessageClient.Abort())) {
            assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"got\":" + body.length + "}");
        }
    }

    @Test
    void interimAnswersWithoutEndAreRefused() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> {
            for (int i = 0; i < 50; i++) {
                write(out, "HTTP/1.1 100 Continue\r\n\r\n");
            }
            return json(out, "{}");
        });
        assertThatThrownBy(() -> post(client(), server.uri(), "{}")).isInstanceOf(IOException.class)
                .hasMessageContaining("interim");
    }

    @Test
    void theWaitForTheHeadIsBoundedAsAWholeNotPerRead() throws Exception {
        // A server that keeps every single read short of the bound (an interim answer and then a
        // header byte by byte) but never finishes its head.
        CountDownLatch release = new CountDownLatch(1);
        RawServer server = new RawServer((n, head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 100 && release.getCount() > 0; i++) { // 10 s, then the connection ends
                write(out, "X");
                Thread.sleep(100);
            }
            return false;
        });
        MessageClient client = client();
        try {
            assertThatThrownBy(() -> client.post(server.uri(), List.of(), "{}".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(500),
                    true, new MessageClient.Abort())).isInstanceOf(java.net.http.HttpTimeoutException.class);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aServerThatReadsNothingOfALargeBodyCannotHoldTheWriterForever() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = silent.accept()) {
                    release.await(20, TimeUnit.SECONDS); // reads nothing, then ends the connection
                } catch (Exception e) {
                    // done
                }
            });
            URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/mcp");
            byte[] body = new byte[64 * 1024 * 1024];
            java.util.Arrays.fill(body, (byte) 'a');
            try {
                assertThatThrownBy(() -> client().post(uri, List.of(), body, Duration.ofMillis(500), true, new MessageClient.Abort()))
                        .isInstanceOf(java.net.http.HttpTimeoutException.class);
            } finally {
                release.countDown();
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "Content-Length: 2\r\nContent-Length: 3",
            "Content-Length: 2, 3",
            "Content-Length: +2",
            "Content-Length : 2",
            "Content-Length: 2\r\n X-Folded: yes",
            "Content-Length: -1",
            "Content-Length: 0x2",
    })
    void ambiguousFramingIsRefusedAndTheConnectionNotKept(String framing) throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n{}");
            return true;
        });
        MessageClient client = client();
        assertThatThrownBy(() -> post(client, server.uri(), "{}")).isInstanceOf(IOException.class);
        assertThat(client.idleConnections()).isZero();
    }

    @Test
    void onlyAFinalChunkedCodingIsReadAsChunks() throws IOException {
        // "xchunked" and "chunked, gzip" do not end in the chunked coding: the body is what the
        // connection carries until it closes, and the connection is not kept.
        for (String te : List.of("xchunked", "chunked, gzip")) {
            RawServer server = new RawServer((n, head, body, out, s) -> {
                write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: " + te + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
                return false;
            });
            MessageClient client = client();
            assertThat(post(client, server.uri(), "{}")).as(te).isEqualTo("200 2\r\n{}\r\n0\r\n\r\n");
            assertThat(client.idleConnections()).as(te).isZero();
        }
    }

    @Test
    void aStatusLineOfAnotherVersionIsRefused() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> {
            write(out, "HTTP/1.7 200 OK\r\nContent-Length: 2\r\n\r\n{}");
            return true;
        });
        assertThatThrownBy(() -> post(client(), server.uri(), "{}")).isInstanceOf(IOException.class).hasMessageContaining("HTTP/1.1");
    }

    @Test
    void aLateCloseOfAReleasedBodyLeavesThePooledConnectionAlone() throws IOException {
        RawServer server = new RawServer((n, head, body, out, s) -> json(out, "{}"));
        MessageClient client = client();
        MessageClient.Response r = client.post(server.uri(), List.of(), "{}".getBytes(StandardCharsets.UTF_8), LONG, true,
                new MessageClient.Abort());
        assertThat(r.body().readAllBytes()).hasSize(2);
        assertThat(client.idleConnections()).isEqualTo(1);
        r.body().close(); // e.g. a watchdog's close arriving after the body was read to its end
        assertThat(post(client, server.uri(), "{}")).isEqualTo("200 {}");
        assertThat(server.accepted.get()).as("the released connection was kept and reused").isEqualTo(1);
    }
}
