package gatehouse.gateway.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One MCP session with an upstream server. Subclasses move bytes; this class matches responses to
 * requests, routes what the upstream sends on its own, and caches list results until the upstream
 * says they changed.
 */
public abstract class UpstreamSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpstreamSession.class);
    private static final String PROGRESS_PREFIX = "gh-progress-";

    protected final ServerDef server;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, PendingCall> pending = new ConcurrentHashMap<>();
    private final List<MessageSink> listeners = new CopyOnWriteArrayList<>();
    /** Who subscribed to which resource URI, so a shared process's updates reach only them. */
    private final Map<String, List<MessageSink>> subscribers = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listChangeObservers = new CopyOnWriteArrayList<>();
    private final Map<String, ArrayNode> listCache = new ConcurrentHashMap<>();
    /** When a cached list goes stale (epoch ms); absent: fresh until the upstream says it changed. */
    private final Map<String, Long> listExpiry = new ConcurrentHashMap<>();
    /** The freshness a 2026 upstream declared for its lists ({@code ttlMs}, the smallest of the pages). */
    private final Map<String, Long> listTtl = new ConcurrentHashMap<>();
    private volatile PendingCall latest;
    /** Answers a client owes to requests Gatehouse made up on this upstream's behalf (see {@link #expectClientAnswer}). */
    private final Map<String, CompletableFuture<ObjectNode>> clientAnswers = new ConcurrentHashMap<>();
    protected volatile ObjectNode initializeResult;

    protected UpstreamSession(ServerDef server) {
        this.server = server;
    }

    public ServerDef server() {
        return server;
    }

    /** The upstream's answer to initialize: its capabilities, serverInfo and instructions. */
    public ObjectNode initializeResult() {
        return initializeResult;
    }

    public boolean hasCapability(String name) {
        ObjectNode init = initializeResult;
        return init != null && init.path("capabilities").has(name);
    }

    public abstract boolean isAlive();

    /**
     * Whether the upstream speaks the stateless generation (2026-07-28): no session, per-request
     * {@code _meta}, and {@code input_required} results where a 2025 server would send requests.
     */
    public boolean stateless() {
        return false;
    }

    /**
     * Registers a server-to-client request Gatehouse sends to a client in this upstream's name
     * (the requests of a stateless upstream's {@code input_required} result): the client's response,
     * which the downstream session hands to {@link #send} under {@code requestId}, completes the
     * future instead of going to the upstream.
     */
    public CompletableFuture<ObjectNode> expectClientAnswer(String requestId) {
        CompletableFuture<ObjectNode> f = new CompletableFuture<>();
        clientAnswers.put(requestId, f);
        f.whenComplete((r, e) -> clientAnswers.remove(requestId, f));
        return f;
    }

    /** Sends a message that expects no answer (notification or response). */
    protected abstract void transmit(ObjectNode message, PendingCall call);

    /** Re-creates the upstream session after the upstream forgot it. */
    protected abstract void recover();

    @Override
    public abstract void close();

    public void addListener(MessageSink sink) {
        listeners.add(sink);
    }

    public void removeListener(MessageSink sink) {
        listeners.remove(sink);
        subscribers.values().forEach(l -> l.remove(sink));
    }

    /**
     * Whether one upstream session serves many clients (a stdio process). Then what the upstream
     * sends outside a call's stream must not reach a client it does not concern.
     */
    protected boolean sharedAcrossClients() {
        return false;
    }

    public void subscribed(String uri, MessageSink sink) {
        List<MessageSink> sinks = subscribers.computeIfAbsent(uri, k -> new CopyOnWriteArrayList<>());
        if (!sinks.contains(sink)) {
            sinks.add(sink);
        }
    }

    public void unsubscribed(String uri, MessageSink sink) {
        List<MessageSink> sinks = subscribers.get(uri);
        if (sinks != null) {
            sinks.remove(sink);
        }
    }

    /**
     * Told the kind ({@code tools}, {@code prompts}, {@code resources}) whenever the upstream says a
     * list changed, on the thread that read the notification (so it must not block). Unlike a
     * listener it never receives server requests, so observing a shared session steals nothing.
     */
    public void onListChanged(Consumer<String> observer) {
        listChangeObservers.add(observer);
    }

    /**
     * Sends a request and waits for its response. The request is modified in place for the
     * duration of the call (id, progress token) and restored before returning; the response gets
     * the caller's id back. Messages the upstream sends about this request go to {@code related}.
     */
    public ObjectNode call(ObjectNode request, Duration timeout, MessageSink related, CallHandle handle) {
        try {
            return attempt(request, timeout, related, handle);
        } catch (SessionLostException lost) {
            log.info("upstream {} lost our session; re-initializing", server.name());
            recover();
            return attempt(request, timeout, related, handle);
        }
    }

    private ObjectNode attempt(ObjectNode request, Duration timeout, MessageSink related, CallHandle handle) {
        long id = ids.incrementAndGet();
        JsonNode clientId = request.get("id");
        ObjectNode meta = request.path("params").get("_meta") instanceof ObjectNode m ? m : null;
        JsonNode clientToken = meta == null ? null : meta.get("progressToken");
        PendingCall call = new PendingCall(id, related, clientToken);
        pending.put(id, call);
        latest = call;
        request.put("id", id);
        if (clientToken != null) {
            meta.put("progressToken", PROGRESS_PREFIX + id);
        }
        if (handle != null) {
            handle.bind(this, call);
        }
        try {
            transmit(request, call);
            ObjectNode response = call.result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (response == null) {
                return null; // cancelled
            }
            response.set("id", clientId);
            return response;
        } catch (TimeoutException e) {
            cancel(call, "timed out after " + timeout.toSeconds() + "s");
            throw new McpException(JsonRpc.REQUEST_TIMEOUT, "Upstream server '" + server.name() + "' did not answer within "
                    + timeout.toSeconds() + "s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new UpstreamException("upstream '" + server.name() + "' failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted while waiting for upstream '" + server.name() + "'");
        } finally {
            pending.remove(id);
            request.set("id", clientId);
            if (clientToken != null) {
                meta.set("progressToken", clientToken);
            }
        }
    }

    /** Sends a notification (or a response to a server request); failures are logged, not thrown. */
    public void send(ObjectNode message) {
        if (JsonRpc.isResponse(message) && message.get("id").isString()) {
            CompletableFuture<ObjectNode> waiting = clientAnswers.remove(message.get("id").stringValue());
            if (waiting != null) {
                waiting.complete(message);
                return;
            }
        }
        try {
            transmit(message, null);
        } catch (RuntimeException e) {
            log.info("could not send {} to upstream {}: {}", JsonRpc.method(message), server.name(), e.getMessage());
        }
    }

    void cancel(PendingCall call, String reason) {
        if (call.done()) {
            return;
        }
        call.cancelled = true;
        ObjectNode params = Json.object();
        params.put("requestId", call.upstreamId);
        if (reason != null) {
            params.put("reason", reason);
        }
        send(JsonRpc.notification("notifications/cancelled", params));
        call.result.complete(null);
        call.abortTransport();
    }

    /** Fails every call in flight, e.g. when the process died. */
    protected void failAll(String why) {
        for (PendingCall call : pending.values()) {
            call.fail(new UpstreamException(why));
        }
    }

    /** Routes one message received from the upstream. {@code context} is the call whose stream carried it, if known. */
    protected void dispatch(ObjectNode message, PendingCall context) {
        if (JsonRpc.isResponse(message)) {
            JsonNode id = message.get("id");
            PendingCall call = id.isIntegralNumber() ? pending.get(id.longValue()) : null;
            if (call != null) {
                call.result.complete(message);
            } else {
                log.debug("upstream {} answered unknown or finished request {}", server.name(), id);
            }
            return;
        }
        String method = JsonRpc.method(message);
        if (method == null) {
            log.debug("upstream {} sent a message that is neither request, response nor notification", server.name());
            return;
        }
        if (method.endsWith("/list_changed")) {
            String kind = method.substring("notifications/".length(), method.length() - "/list_changed".length());
            listCache.remove(kind);
            for (Consumer<String> o : listChangeObservers) {
                o.accept(kind);
            }
        }
        if ("notifications/progress".equals(method)) {
            JsonNode token = message.path("params").get("progressToken");
            if (token != null && token.isString() && token.stringValue().startsWith(PROGRESS_PREFIX)) {
                try {
                    PendingCall call = pending.get(Long.parseLong(token.stringValue().substring(PROGRESS_PREFIX.length())));
                    if (call != null) {
                        ((ObjectNode) message.get("params")).set("progressToken", call.clientProgressToken);
                        call.related.deliver(this, message);
                    }
                } catch (NumberFormatException ignored) {
                    // not one of ours
                }
                return;
            }
        }
        if (context == null && sharedAcrossClients()) {
            dispatchShared(message, method);
            return;
        }
        PendingCall target = context;
        if (target == null && JsonRpc.isRequest(message)) {
            // Over legacy SSE nothing ties a server request to the call that caused it; every call
            // of this session is the same client's, so the call started last is a safe choice.
            PendingCall last = latest;
            target = last != null && !last.done() ? last : null;
        }
        if (target != null && !target.done() && target.related != null) {
            target.related.deliver(this, message);
            return;
        }
        if (listeners.isEmpty()) {
            if (JsonRpc.isRequest(message)) {
                send(JsonRpc.error(message.get("id"), JsonRpc.METHOD_NOT_FOUND, "no client is connected to answer " + method));
            }
            return;
        }
        if (JsonRpc.isRequest(message)) {
            listeners.getFirst().deliver(this, message);
        } else {
            for (MessageSink l : listeners) {
                l.deliver(this, message.deepCopy());
            }
        }
    }

    /**
     * A message from a process many clients share, outside any call's stream (stdio has none).
     * A server request or a log message goes to the client whose call is in flight only when that
     * call is the only one, since otherwise nothing says whose it is: a guess could show one
     * person's question to another. Resource updates go to their subscribers; list changes,
     * which carry nothing private, to everyone.
     */
    private void dispatchShared(ObjectNode message, String method) {
        if (method.endsWith("/list_changed")) {
            for (MessageSink l : listeners) {
                l.deliver(this, message.deepCopy());
            }
            return;
        }
        if ("notifications/resources/updated".equals(method)) {
            List<MessageSink> sinks = subscribers.getOrDefault(message.path("params").path("uri").asString(""), List.of());
            for (MessageSink l : sinks) {
                l.deliver(this, message.deepCopy());
            }
            return;
        }
        PendingCall only = null;
        int inFlight = 0;
        for (PendingCall c : pending.values()) {
            if (c.related != null && !c.done()) {
                inFlight++;
                only = c;
            }
        }
        if (inFlight == 1) {
            only.related.deliver(this, message);
            return;
        }
        if (JsonRpc.isRequest(message)) {
            send(JsonRpc.error(message.get("id"), JsonRpc.INTERNAL_ERROR, "Gatehouse cannot tell which client should answer "
                    + method + ": " + inFlight + " calls are in flight on this shared server"));
        } else {
            log.debug("upstream {}: {} outside a call dropped ({} calls in flight)", server.name(), method, inFlight);
        }
    }

    // --- list cache

    /**
     * Every item of a list method ({@code tools}, {@code prompts}, {@code resources},
     * {@code resourceTemplates}), following cursors; cached until a list_changed notification.
     */
    public ArrayNode list(String kind, Duration timeout) {
        ArrayNode cached = listCache.get(kind);
        Long expiry = listExpiry.get(kind);
        if (cached != null && (expiry == null || expiry > System.currentTimeMillis())) {
            return cached;
        }
        String method = switch (kind) {
            case "tools" -> "tools/list";
            case "prompts" -> "prompts/list";
            case "resources" -> "resources/list";
            case "resourceTemplates" -> "resources/templates/list";
            default -> throw new IllegalArgumentException(kind);
        };
        ArrayNode all = Json.array();
        String cursor = null;
        long ttl = -1;
        for (int page = 0; page < 100; page++) {
            ObjectNode params = Json.object();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            ObjectNode response = call(JsonRpc.request(0L, method, params), timeout, null, null);
            if (response == null || response.has("error")) {
                throw new UpstreamException("upstream '" + server.name() + "' refused " + method + ": "
                        + (response == null ? "cancelled" : response.get("error").path("message").asString()));
            }
            JsonNode pageTtl = response.path("result").get("ttlMs");
            if (pageTtl != null && pageTtl.canConvertToLong() && pageTtl.asLong() >= 0) {
                ttl = ttl < 0 ? pageTtl.asLong() : Math.min(ttl, pageTtl.asLong());
            }
            JsonNode items = response.path("result").path(kind);
            if (items.isArray()) {
                all.addAll((ArrayNode) items);
            }
            JsonNode next = response.path("result").get("nextCursor");
            if (next == null || !next.isString() || next.stringValue().isEmpty()) {
                break;
            }
            cursor = next.stringValue();
        }
        if (ttl >= 0) {
            listTtl.put(kind, ttl);
        }
        if (ttl >= 0 && !listChangesNotified(kind)) {
            listExpiry.put(kind, System.currentTimeMillis() + ttl); // no change notifications: the declared freshness decides
        } else {
            listExpiry.remove(kind);
        }
        listCache.put(kind, all);
        return all;
    }

    /** Whether the upstream announces changes of {@code kind} lists (so a cached list stays until it does). */
    protected boolean listChangesNotified(String kind) {
        return true;
    }

    /** The freshness in ms the upstream declared for its {@code kind} list, or -1 when it declared none. */
    public long listTtlMs(String kind) {
        return listTtl.getOrDefault(kind, -1L);
    }

    public void invalidateLists() {
        listCache.clear();
    }

    protected static ObjectNode initializeRequest(ObjectNode params) {
        return JsonRpc.request(0L, "initialize", params);
    }

    /** Performs the initialize handshake over this session's transport. */
    protected void handshake(ObjectNode initParams, Duration timeout) {
        ObjectNode response = attempt(initializeRequest(initParams.deepCopy()), timeout, null, null);
        if (response.has("error")) {
            throw new UpstreamException("upstream '" + server.name() + "' refused initialize: "
                    + response.get("error").path("message").asString());
        }
        JsonNode result = response.get("result");
        if (!(result instanceof ObjectNode r)) {
            throw new UpstreamException("upstream '" + server.name() + "' answered initialize without a result");
        }
        initializeResult = r;
        listCache.clear();
        send(JsonRpc.notification("notifications/initialized", null));
    }
}
