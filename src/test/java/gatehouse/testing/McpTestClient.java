package gatehouse.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A deliberately raw Streamable HTTP client for tests: it sends exactly the bytes and headers it is
 * given, reports exact statuses and headers, reads JSON and text/event-stream answers, keeps the
 * {@code Mcp-Session-Id}, answers server-to-client requests that arrive on a POST's stream by
 * POSTing a response, and can hold the session's GET stream open.
 */
public final class McpTestClient implements AutoCloseable {
    public static final String PROTOCOL_VERSION = "2025-11-25";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;
    private final String token;
    private final AtomicLong ids = new AtomicLong();
    private final List<Integer> answerStatuses = new CopyOnWriteArrayList<>();
    private final Queue<Throwable> callbackFailures = new ConcurrentLinkedQueue<>();
    private volatile String sessionId;
    private volatile String protocolVersion;
    private volatile Function<ObjectNode, JsonNode> serverRequestHandler = r -> {
        throw new IllegalStateException("no handler for server request " + r);
    };

    public McpTestClient(URI endpoint, String token) {
        this.endpoint = endpoint;
        this.token = token;
    }

    /** What one HTTP exchange produced: status, headers and every JSON-RPC message in the body. */
    public record Result(int status, Map<String, List<String>> headers, String contentType, String body,
                         List<ObjectNode> messages) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        /** The last message: the response when the answer was a stream. */
        public ObjectNode response() {
            if (messages.isEmpty()) {
                throw new AssertionError("HTTP " + status + " carried no JSON-RPC message: " + body);
            }
            return messages.getLast();
        }

        public JsonNode result() {
            ObjectNode r = response();
            if (!r.has("result")) {
                throw new AssertionError("expected a result, got " + r);
            }
            return r.get("result");
        }

        public JsonNode error() {
            ObjectNode r = response();
            if (!r.has("error")) {
                throw new AssertionError("expected an error, got " + r);
            }
            return r.get("error");
        }

        /** Messages before the response (notifications and server requests on the POST's stream). */
        public List<ObjectNode> interim() {
            return messages.isEmpty() ? List.of() : messages.subList(0, messages.size() - 1);
        }

        public boolean streamed() {
            return contentType != null && contentType.startsWith("text/event-stream");
        }
    }

    public String sessionId() {
        return sessionId;
    }

    public void sessionId(String id) {
        this.sessionId = id;
    }

    /** Answers server-to-client requests (sampling, elicitation, roots): request in, result out. */
    public void onServerRequest(Function<ObjectNode, JsonNode> handler) {
        this.serverRequestHandler = handler;
    }

    /** HTTP statuses the gateway gave to the answers this client POSTed for server requests. */
    public List<Integer> answerStatuses() {
        return answerStatuses;
    }

    // --- the MCP lifecycle

    /** initialize (with the given client capabilities) followed by notifications/initialized. */
    public Result initialize(ObjectNode capabilities) {
        ObjectNode params = Json.object();
        params.put("protocolVersion", PROTOCOL_VERSION);
        params.set("capabilities", capabilities == null ? Json.object() : capabilities);
        params.putObject("clientInfo").put("name", "gatehouse-tests").put("version", "1");
        Result r = send(request("initialize", params), Map.of());
        if (r.status() == 200) {
            sessionId = r.header("Mcp-Session-Id");
            protocolVersion = r.result().path("protocolVersion").asString(null);
            Result initialized = notify("notifications/initialized", null);
            if (initialized.status() != 202) {
                throw new AssertionError("notifications/initialized answered " + initialized.status());
            }
        }
        return r;
    }

    public static ObjectNode capabilities(String... names) {
        ObjectNode caps = Json.object();
        for (String n : names) {
            caps.putObject(n);
        }
        return caps;
    }

    public ObjectNode request(String method, JsonNode params) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.put("id", ids.incrementAndGet());
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return m;
    }

    /** Sends a request and waits for the whole answer. */
    public Result call(String method, JsonNode params) {
        return send(request(method, params), Map.of());
    }

    /** tools/call with the given arguments (may be null). */
    public Result callTool(String name, ObjectNode arguments) {
        ObjectNode params = Json.object();
        params.put("name", name);
        params.set("arguments", arguments == null ? Json.object() : arguments);
        return call("tools/call", params);
    }

    public Result notify(String method, JsonNode params) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return send(m, Map.of());
    }

    // --- raw exchanges

    public Result send(JsonNode message, Map<String, String> headerOverrides) {
        return post(Json.bytes(message), headerOverrides);
    }

    public Result post(String body, Map<String, String> headerOverrides) {
        return post(body.getBytes(StandardCharsets.UTF_8), headerOverrides);
    }

    public Result post(byte[] body, Map<String, String> headerOverrides) {
        try {
            return postAsync(body, headerOverrides, m -> { }).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /**
     * POSTs {@code body} with the default headers (bearer token, content type, accept, session,
     * protocol version), each replaceable by {@code headerOverrides} and removed by a null value.
     * {@code onMessage} sees every message of a streamed answer as it arrives.
     */
    public CompletableFuture<Result> postAsync(byte[] body, Map<String, String> headerOverrides, Consumer<ObjectNode> onMessage) {
        return postAsync(endpoint, body, headerOverrides, onMessage);
    }

    public CompletableFuture<Result> postAsync(URI target, byte[] body, Map<String, String> headerOverrides,
                                               Consumer<ObjectNode> onMessage) {
        throwCallbackFailures();
        return postAsync(target, body, headerOverrides, onMessage, true);
    }

    /** {@code checkCallbacks}: whether the answer fails when a server-request callback failed meanwhile (not for the callbacks' own answers). */
    private CompletableFuture<Result> postAsync(URI target, byte[] body, Map<String, String> headerOverrides,
                                                Consumer<ObjectNode> onMessage, boolean checkCallbacks) {
        Map<String, String> headers = defaultHeaders();
        headers.put("Content-Type", "application/json");
        headers.put("Accept", "application/json, text/event-stream");
        headers.putAll(headerOverrides);
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        apply(b, headers);
        CompletableFuture<Result> result = new CompletableFuture<>();
        Thread.ofVirtual().name("mcp-test-post").start(() -> {
            try {
                Result r = read(http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()), onMessage);
                if (checkCallbacks) {
                    throwCallbackFailures(); // the stream ended after the failing callback's error answer
                }
                result.complete(r);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    public Result delete(Map<String, String> headerOverrides) {
        Map<String, String> headers = defaultHeaders();
        headers.putAll(headerOverrides);
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(TIMEOUT).DELETE();
        apply(b, headers);
        return send(b.build());
    }

    public Result delete() {
        return delete(Map.of());
    }

    private Map<String, String> defaultHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        if (sessionId != null) {
            headers.put("Mcp-Session-Id", sessionId);
        }
        if (protocolVersion != null) {
            headers.put("MCP-Protocol-Version", protocolVersion);
        }
        return headers;
    }

    private static void apply(HttpRequest.Builder b, Map<String, String> headers) {
        headers.forEach((k, v) -> {
            if (v != null) {
                b.setHeader(k, v);
            }
        });
    }

    private Result send(HttpRequest req) {
        try {
            return read(http.send(req, HttpResponse.BodyHandlers.ofInputStream()), m -> { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Result read(HttpResponse<InputStream> resp, Consumer<ObjectNode> onMessage) throws IOException {
        String type = resp.headers().firstValue("Content-Type").orElse(null);
        List<ObjectNode> messages = new ArrayList<>();
        String body;
        try (InputStream in = resp.body()) {
            if (type != null && type.startsWith("text/event-stream")) {
                StringBuilder raw = new StringBuilder();
                readEvents(in, raw, data -> {
                    ObjectNode m = (ObjectNode) Json.tree(data);
                    messages.add(m);
                    onMessage.accept(m);
                    if (m.has("method") && m.has("id")) {
                        answer(m);
                    }
                });
                body = raw.toString();
            } else {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (type != null && type.contains("json") && !body.isBlank()) {
                    JsonNode n = Json.tree(body);
                    if (n instanceof ObjectNode o) {
                        messages.add(o);
                    }
                }
            }
        }
        return new Result(resp.statusCode(), resp.headers().map(), type, body, Collections.unmodifiableList(messages));
    }

    /**
     * Answers a server request on its own POST, off the reading thread (the stream must keep
     * flowing). A callback that throws (an assertion failing, say) is answered with an error, so
     * the gateway is not left waiting, and its failure is kept for the test: the exchange during
     * which it failed, the client's next exchange, or {@link #close()} throws it.
     */
    private void answer(ObjectNode request) {
        Thread.ofVirtual().name("mcp-test-answer").start(() -> {
            ObjectNode response = Json.object();
            response.put("jsonrpc", "2.0");
            response.set("id", request.get("id"));
            try {
                response.set("result", serverRequestHandler.apply(request));
            } catch (Throwable t) {
                callbackFailures.add(t);
                response.putObject("error").put("code", -32603).put("message", String.valueOf(t.getMessage()));
            }
            answerStatuses.add(postAsync(endpoint, Json.bytes(response), Map.of(), m -> { }, false).join().status());
        });
    }

    /** Throws what a server-request callback threw since the last check (the first, others suppressed). */
    public void throwCallbackFailures() {
        Throwable first = callbackFailures.poll();
        if (first == null) {
            return;
        }
        AssertionError e = new AssertionError("a server-request callback failed: " + first, first);
        for (Throwable more = callbackFailures.poll(); more != null; more = callbackFailures.poll()) {
            e.addSuppressed(more);
        }
        throw e;
    }

    /** Sends a client response to a server request by hand (for tests that answer late or never). */
    public Result respond(JsonNode id, JsonNode result) {
        ObjectNode response = Json.object();
        response.put("jsonrpc", "2.0");
        response.set("id", id);
        response.set("result", result);
        return send(response, Map.of());
    }

    private static void readEvents(InputStream in, StringBuilder raw, Consumer<String> onData) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        StringBuilder data = null;
        String event = null;
        String line;
        while ((line = reader.readLine()) != null) {
            raw.append(line).append('\n');
            if (line.isEmpty()) {
                if (data != null && (event == null || "message".equals(event))) {
                    onData.accept(data.toString());
                }
                data = null;
                event = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if ("data".equals(field)) {
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            } else if ("event".equals(field)) {
                event = value;
            }
        }
        if (data != null) {
            onData.accept(data.toString());
        }
    }

    // --- the GET stream

    /** The session's standalone stream, read on its own thread until the server ends it or {@link #close()}. */
    public final class EventStream implements AutoCloseable {
        private final int status;
        private final String body;
        private final InputStream in;
        private final BlockingQueue<ObjectNode> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();

        private EventStream(HttpResponse<InputStream> resp) throws IOException {
            this.status = resp.statusCode();
            this.in = resp.body();
            String type = resp.headers().firstValue("Content-Type").orElse("");
            if (status == 200 && type.startsWith("text/event-stream")) {
                this.body = null;
                Thread.ofVirtual().name("mcp-test-get").start(() -> {
                    try {
                        readEvents(in, new StringBuilder(), data -> {
                            ObjectNode m = (ObjectNode) Json.tree(data);
                            messages.add(m);
                            if (m.has("method") && m.has("id")) {
                                answer(m);
                            }
                        });
                    } catch (IOException e) {
                        // closed by us or by the server: either way the stream is over
                    } finally {
                        ended.complete(null);
                    }
                });
            } else {
                this.body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                in.close();
                ended.complete(null);
            }
        }

        public int status() {
            return status;
        }

        /** The body of a refused GET. */
        public String body() {
            return body;
        }

        /** Completes when the server ends the stream. */
        public CompletableFuture<Void> ended() {
            return ended;
        }

        public ObjectNode poll(Duration timeout) {
            try {
                return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Opens the GET stream; returns once the response headers are in. */
    public EventStream openStream(Map<String, String> headerOverrides) {
        Map<String, String> headers = defaultHeaders();
        headers.put("Accept", "text/event-stream");
        headers.putAll(headerOverrides);
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).GET();
        apply(b, headers);
        try {
            return new EventStream(http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public EventStream openStream() {
        return openStream(Map.of());
    }

    public static <T> T join(CompletableFuture<T> f, Duration timeout) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Also throws a server-request callback's failure that no exchange reported yet. */
    @Override
    public void close() {
        http.shutdownNow(); // close() would wait for an open GET stream to end
        throwCallbackFailures();
    }
}
