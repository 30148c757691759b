package gatehouse.policy.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpServer;

/**
 * A JDK HTTP server on loopback answering POSTs with a function of the request body: the DLP
 * services the webhook tests talk to, and — named as such — the faults a real Presidio cannot be
 * made to show on demand (a hang, an answer that is not JSON).
 */
final class LocalHttpService implements AutoCloseable {
    /** What to answer: status and body; a null answer means never answer (a hang). */
    record Answer(int status, String body) {
    }

    private final HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    volatile String lastBody;

    LocalHttpService(Function<String, Answer> handler) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            lastBody = body;
            Answer a = handler.apply(body);
            if (a == null) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.close();
                return;
            }
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(a.status(), out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
