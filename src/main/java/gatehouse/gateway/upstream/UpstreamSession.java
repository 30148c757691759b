package gatehouse.gateway.upstream;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * One MCP session with an upstream server, as the rest of Gatehouse sees it. Subclasses move bytes;
 * this class puts the parts together: the calls in flight ({@link PendingCalls}), where what the
 * upstream sends on its own goes ({@link InboundRouter}) and the list results ({@link ListCache}).
 */
public abstract class UpstreamSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpstreamSession.class);

    protected final ServerDef server;
    private final PendingCalls calls = new PendingCalls();
    private final InboundRouter inbound = new InboundRouter(this);
    private final ListCache lists;
    /** Answers a client owes to requests Gatehouse made up on this upstream's behalf (see {@link #expectClientAnswer}). */
    private final Map<String, CompletableFuture<ObjectNode>> clientAnswers = new ConcurrentHashMap<>();
    protected volatile ObjectNode initializeResult;

    private volatile CredentialSource credentials;
    private volatile Misbehaviour misbehaviour = (server, kind, what) -> { };

    /** Where a session reports a server breaking the protocol or failing a call (the health board's alert). */
    @FunctionalInterface
    public interface Misbehaviour {
        void seen(ServerDef server, String kind, String what);
    }

    protected UpstreamSession(ServerDef server) {
        this.server = server;
        this.lists = new ListCache(server.name());
        this.credentials = CredentialSource.none(server.name());
    }

    /** Where this session reports misbehaviour (set when it is opened). */
    void reportMisbehaviourTo(Misbehaviour to) {
        this.misbehaviour = to;
    }

    /**
     * The server broke the protocol or failed a call: {@code kind} is a short stable word (silence,
     * oversized, malformed, failed, foreign-answer, not-json-rpc, uninvited-request), {@code what}
     * says what happened in words an administrator can act on (never message content).
     */
    public void misbehaved(String kind, String what) {
        try {
            misbehaviour.seen(server, kind, what);
        } catch (RuntimeException e) {
            log.debug("could not report upstream {} misbehaving: {}", server.name(), e.toString());
        }
    }

    /** A call's failure as misbehaviour, unless it is about reaching the server or the caller's credential (alerted elsewhere). */
    private void callFailed(String method, RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UpstreamUnreachableException || c instanceof UpstreamUnauthorizedException || c instanceof SessionClosedException
                    || c instanceof CredentialUnusableException || c instanceof McpException) {
                return;
            }
        }
        if (!(e instanceof UpstreamException)) {
            return;
        }
        String kind = "failed";
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MessageTooLargeException) {
                kind = "oversized";
                break;
            }
            if (c instanceof java.net.http.HttpTimeoutException) {
                kind = "silence";
                break;
            }
            if (c instanceof tools.jackson.core.JacksonException) {
                kind = "malformed";
                break;
            }
        }
        misbehaved(kind, method + ": " + e.getMessage());
    }

    /** Whose credential this session presents, and what a 401 turns into (set once when it is opened). */
    void credentials(CredentialSource source) {
        this.credentials = source;
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

    /**
     * What lets another process carry on this session without a handshake (see {@link ResumeState});
     * null when it cannot move (a process, an SSE stream, no session at all).
     */
    public ResumeState resumeState() {
        return null;
    }

    /**
     * Stops using the session here without ending it at the upstream: another replica carries it on.
     * Where nothing can move, the same as {@link #close()}.
     */
    public void leave() {
        close();
    }

    public void addListener(MessageSink sink) {
        inbound.addListener(sink);
    }

    public void removeListener(MessageSink sink) {
        inbound.removeListener(sink);
    }

    /**
     * Whether one upstream session serves many clients (a stdio process). Then what the upstream
     * sends outside a call's stream must not reach a client it does not concern.
     */
    protected boolean sharedAcrossClients() {
        return false;
    }

    public void subscribed(String uri, MessageSink sink) {
        inbound.subscribed(uri, sink);
    }

    public void unsubscribed(String uri, MessageSink sink) {
        inbound.unsubscribed(uri, sink);
    }

    /**
     * Told the kind ({@code tools}, {@code prompts}, {@code resources}) whenever the upstream says a
     * list changed, on the thread that read the notification (so it must not block). Unlike a
     * listener it never receives server requests, so observing a shared session steals nothing.
     */
    public void onListChanged(Consumer<String> observer) {
        inbound.onListChanged(observer);
    }

    /**
     * Sends a request and waits for its response. The request is modified in place for the
     * duration of the call (id, progress token) and restored before returning; the response gets
     * the caller's id back. Messages the upstream sends about this request go to {@code related}.
     */
    public ObjectNode call(ObjectNode request, Duration timeout, MessageSink related, CallHandle handle) {
        Map.Entry<String, String> presented = credentials.header();
        try {
            return attemptRecovering(request, timeout, related, handle);
        } catch (UpstreamUnauthorizedException refused) {
            // Refused before its expiry (revoked at the provider, password changed): renew once
            // (a refresh) and retry, or answer with whose credential failed and where to renew it.
            RuntimeException verdict = credentials.rejected(presented == null ? null : presented.getValue());
            if (verdict != null) {
                throw verdict;
            }
            try {
                return attemptRecovering(request, timeout, related, handle);
            } catch (UpstreamUnauthorizedException again) {
                Map.Entry<String, String> renewed = credentials.header();
                RuntimeException last = credentials.rejected(renewed == null ? null : renewed.getValue());
                throw last != null ? last : again;
            }
        }
    }

    private ObjectNode attemptRecovering(ObjectNode request, Duration timeout, MessageSink related, CallHandle handle) {
        try {
            return attempt(request, timeout, related, handle);
        } catch (SessionLostException lost) {
            log.info("upstream {} lost our session; re-initializing", server.name());
            recover();
            return attempt(request, timeout, related, handle);
        }
    }

    private ObjectNode attempt(ObjectNode request, Duration timeout, MessageSink related, CallHandle handle) {
        JsonNode clientId = request.get("id");
        ObjectNode meta = request.path("params").get("_meta") instanceof ObjectNode m ? m : null;
        JsonNode clientToken = meta == null ? null : meta.get("progressToken");
        PendingCall call = calls.open(related, clientToken);
        request.put("id", call.upstreamId);
        if (clientToken != null) {
            meta.put("progressToken", PendingCalls.progressToken(call));
        }
        if (handle != null) {
            handle.bind(this, call);
        }
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            // HTTP transports exchange on this thread: at the deadline the exchange's connection
            // is closed (Deadlines.CALLS), and the timeout is reported here.
            Deadlines.CALLS.watch(call, deadline);
            try {
                transmit(request, call);
            } catch (RuntimeException e) {
                if (!call.cancelled) {
                    throw e;
                }
                // cancelled or timed out meanwhile: what the exchange saw of it does not matter
            } finally {
                Deadlines.CALLS.release(call);
            }
            if (call.timedOut && !call.done()) {
                throw timedOut(call, request, timeout);
            }
            ObjectNode response = call.result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (response == null) {
                return null; // cancelled
            }
            response.set("id", clientId);
            return response;
        } catch (TimeoutException e) {
            throw timedOut(call, request, timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            RuntimeException failure = cause instanceof RuntimeException re ? re
                    : new UpstreamException("upstream '" + server.name() + "' failed: " + cause.getMessage(), cause);
            callFailed(JsonRpc.method(request), failure);
            throw failure;
        } catch (UpstreamException e) {
            callFailed(JsonRpc.method(request), e);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted while waiting for upstream '" + server.name() + "'");
        } finally {
            calls.finished(call);
            request.set("id", clientId);
            if (clientToken != null) {
                meta.set("progressToken", clientToken);
            }
        }
    }

    /** Cancels a call whose deadline passed (the upstream is told) and reports it as the upstream's silence. */
    private McpException timedOut(PendingCall call, ObjectNode request, Duration timeout) {
        cancel(call, "timed out after " + timeout.toSeconds() + "s");
        misbehaved("silence", JsonRpc.method(request) + ": no answer within " + timeout.toSeconds() + "s");
        return new McpException(JsonRpc.REQUEST_TIMEOUT, "Upstream server '" + server.name() + "' did not answer within "
                + timeout.toSeconds() + "s");
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
        // The call ends and its connection closes first: telling the server may take as long as
        // its request timeout when the server is slow, and the caller must not wait for that.
        call.result.complete(null);
        call.abortTransport();
        send(JsonRpc.notification("notifications/cancelled", params));
    }

    /** Fails every call in flight, e.g. when the process died. */
    protected void failAll(String why) {
        calls.failAll(why, false);
    }

    /** Fails every call in flight because Gatehouse closed or left this session (not the server's doing). */
    protected void closedAll(String why) {
        calls.failAll(why, true);
    }

    /** Routes one message received from the upstream. {@code context} is the call whose stream carried it, if known. */
    protected void dispatch(ObjectNode message, PendingCall context) {
        if (JsonRpc.isResponse(message)) {
            if (!calls.answer(message)) {
                log.debug("upstream {} answered unknown or finished request {}", server.name(), message.get("id"));
                misbehaved("foreign-answer", "answered a request that was not open (unknown id, or already answered or cancelled)");
            }
            return;
        }
        String method = JsonRpc.method(message);
        if (method == null) {
            log.debug("upstream {} sent a message that is neither request, response nor notification", server.name());
            misbehaved("not-json-rpc", "sent a message that is neither request, response nor notification");
            return;
        }
        if (method.endsWith("/list_changed")) {
            String kind = method.substring("notifications/".length(), method.length() - "/list_changed".length());
            lists.changed(kind);
            inbound.listChanged(kind);
        }
        if ("notifications/progress".equals(method) && calls.isOurs(message)) {
            PendingCall call = calls.progressOf(message);
            if (call != null && call.related != null) {
                call.related.deliver(this, message);
            }
            return;
        }
        inbound.route(message, method, context, calls, sharedAcrossClients());
    }

    // --- list cache

    /**
     * Every item of a list method ({@code tools}, {@code prompts}, {@code resources},
     * {@code resourceTemplates}), following cursors; cached until a list_changed notification.
     */
    public ArrayNode list(String kind, Duration timeout) {
        ArrayNode cached = lists.cached(kind);
        if (cached != null) {
            return cached; // the usual case: nothing to ask, nothing to allocate
        }
        return lists.list(kind, request -> call(request, timeout, null, null), this::listChangesNotified);
    }

    /** Whether {@link #list} would answer {@code kind} from the cache, without asking the upstream. */
    public boolean listCached(String kind) {
        return lists.cached(kind) != null;
    }

    /** Whether the upstream announces changes of {@code kind} lists (so a cached list stays until it does). */
    protected boolean listChangesNotified(String kind) {
        return true;
    }

    /** The freshness in ms the upstream declared for its {@code kind} list, or -1 when it declared none. */
    public long listTtlMs(String kind) {
        return lists.ttlMs(kind);
    }

    public void invalidateLists() {
        lists.clear();
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
        lists.clear();
        send(JsonRpc.notification("notifications/initialized", null));
    }
}
