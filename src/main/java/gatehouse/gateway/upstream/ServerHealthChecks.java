package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.health.ServerHealth;
import gatehouse.catalog.health.ServerHealthBoard;
import gatehouse.platform.Json;

/**
 * Checks that servers can be reached, so an administrator learns about a wrong URL or a missing
 * command before a user does. An HTTP server is reachable when it answers at all with something
 * other than "not found" or a server error: a 401 means it is there and wants a credential, which
 * is each user's business. A stdio server's process reports for itself (started, failed, exited);
 * a check starts the process of an assigned server that is not running, and for one no gateway
 * uses only looks its program up (running {@code npx -y …} just to look would be costly). Servers
 * that answered recently are not checked again.
 */
@Component
public class ServerHealthChecks {
    private static final Logger log = LoggerFactory.getLogger(ServerHealthChecks.class);

    private final Upstreams upstreams;
    private final ServerHealthBoard board;
    private final CatalogService catalog;
    private final Duration interval;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    ServerHealthChecks(Upstreams upstreams, ServerHealthBoard board, CatalogService catalog,
                       @Value("${gatehouse.health.check-interval:30s}") Duration interval) {
        this.upstreams = upstreams;
        this.board = board;
        this.catalog = catalog;
        this.interval = interval;
    }

    /** Every server not heard from within the interval, checked in parallel. */
    @Scheduled(fixedDelayString = "${gatehouse.health.check-interval:30s}", initialDelayString = "${gatehouse.health.initial-delay:5s}")
    public void checkAll() {
        CatalogSnapshot snap = catalog.snapshot();
        Set<String> assigned = ConcurrentHashMap.newKeySet();
        snap.assignmentsByGateway().values().forEach(list -> list.forEach(a -> assigned.add(a.serverId())));
        Instant stale = Instant.now().minus(interval);
        List<Thread> threads = new ArrayList<>();
        for (ServerDef server : snap.servers().values()) {
            ServerHealth h = board.of(server.id());
            boolean fresh = h.state() == ServerHealth.State.OK && h.lastContactAt() != null && h.lastContactAt().isAfter(stale);
            if (!fresh) {
                threads.add(Thread.ofVirtual().name("health-" + server.name()).start(() -> check(server, assigned.contains(server.id()))));
            }
        }
        for (Thread t : threads) {
            try {
                t.join(upstreams.props().mcp().connectTimeout().plusSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Checks a server now (a new or changed one) and answers its health after at most {@code wait};
     * "starting" when the check has not finished by then. A stdio server's command is only looked
     * up on the PATH unless the server is assigned (then its process is started, as a gateway would).
     */
    public ServerHealth checkNow(ServerDef server, boolean assigned, Duration wait) {
        Thread t = Thread.ofVirtual().name("health-" + server.name()).start(() -> check(server, assigned));
        try {
            t.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (server.transport() == gatehouse.catalog.Transport.STDIO && upstreams.running(server.id())) {
            awaitFirstVerdict(server, wait);
        }
        return board.of(server.id());
    }

    private void awaitFirstVerdict(ServerDef server, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (board.of(server.id()).state() == ServerHealth.State.STARTING && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void check(ServerDef server, boolean startIfStopped) {
        if (!inFlight.add(server.id())) {
            return;
        }
        try {
            switch (server.transport()) {
                case STDIO -> {
                    if (!upstreams.running(server.id())) {
                        Optional<String> missing = missingProgram(server);
                        if (missing.isPresent()) {
                            board.unreachable(server, missing.get());
                        } else if (startIfStopped) {
                            upstreams.ensureStarted(server); // its process reports how it fares
                        } else if (board.of(server.id()).state() != ServerHealth.State.OK) {
                            board.starting(server, "not running: a stdio server starts when a gateway uses it");
                        }
                    }
                }
                case STREAMABLE_HTTP -> probe(server, "POST");
                case SSE -> probe(server, "GET");
            }
        } catch (RuntimeException e) {
            log.debug("health check of {} failed unexpectedly", server.name(), e);
            board.unreachable(server, "the check failed: " + e.getClass().getSimpleName());
        } finally {
            inFlight.remove(server.id());
        }
    }

    /**
     * Why a stdio server's program cannot be run, when that can be seen without running it: a bare
     * name not found on the PATH the process would get, or a path that is not an executable file.
     */
    static Optional<String> missingProgram(ServerDef server) {
        if (server.command().isEmpty()) {
            return Optional.of("it has no command");
        }
        String program = server.command().getFirst();
        if (program.contains("/")) {
            Path p = Path.of(program);
            if (!p.isAbsolute()) {
                return Optional.empty(); // relative to its working directory: only running it tells
            }
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.empty()
                    : Optional.of("could not run '" + program + "': no such executable file");
        }
        String path = server.env().getOrDefault("PATH", System.getenv().getOrDefault("PATH", ""));
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of("failed to start: could not run '" + program + "': no such file (is it installed and on the PATH?)");
    }

    /** One request to the server's URL; the answer's status decides, its body is not read. */
    private void probe(ServerDef server, String method) {
        URI uri;
        try {
            uri = URI.create(server.url());
        } catch (IllegalArgumentException e) {
            board.unreachable(server, "its URL is not valid");
            return;
        }
        Duration timeout = upstreams.props().mcp().connectTimeout();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
        for (Map.Entry<String, String> h : server.headers().entrySet()) {
            try {
                b.header(h.getKey(), h.getValue());
            } catch (IllegalArgumentException restricted) {
                // a header the HTTP client sets itself (Host, Content-Length): not needed to see if the server is there
            }
        }
        if (method.equals("POST")) {
            var init = Json.object().put("jsonrpc", "2.0").put("id", "gatehouse-health-check").put("method", "initialize");
            init.set("params", Upstreams.ownInitParams());
            b.header("Accept", "application/json, text/event-stream").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(init)));
        } else {
            b.header("Accept", "text/event-stream").GET();
        }
        String where = UpstreamIo.redact(uri);
        try {
            HttpResponse<InputStream> r = upstreams.http().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream ignored = r.body()) {
                int status = r.statusCode();
                if (status == 404 || status == 410) {
                    board.unreachable(server, "answered HTTP " + status + " at " + where + ": is the URL right?");
                } else if (status >= 500) {
                    board.unreachable(server, "answered HTTP " + status + " at " + where);
                } else {
                    board.reachable(server);
                    r.headers().firstValue("Mcp-Session-Id").ifPresent(sid -> endSession(uri, server, sid));
                }
            }
        } catch (HttpTimeoutException e) {
            board.unreachable(server, "no answer from " + where + " within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            board.unreachable(server, "cannot reach " + where + ": " + UpstreamIo.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The check's initialize opened a session upstream: close it again (best effort). */
    private void endSession(URI uri, ServerDef server, String sessionId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(upstreams.props().mcp().connectTimeout()).DELETE()
                .header("Mcp-Session-Id", sessionId);
        for (Map.Entry<String, String> h : server.headers().entrySet()) {
            try {
                b.header(h.getKey(), h.getValue());
            } catch (IllegalArgumentException restricted) {
                // see probe
            }
        }
        upstreams.http().sendAsync(b.build(), HttpResponse.BodyHandlers.discarding());
    }
}
