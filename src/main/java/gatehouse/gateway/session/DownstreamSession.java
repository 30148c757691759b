package gatehouse.gateway.session;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.RelayScreen;
import gatehouse.gateway.protocol.EventStream;
import gatehouse.gateway.upstream.CallHandle;
import gatehouse.gateway.upstream.MessageSink;
import gatehouse.gateway.upstream.ResumeState;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One client session: a 2025-era session identified by Mcp-Session-Id, or the hidden stand-in for a
 * connection's stateless (2026-07-28) clients, which holds the upstream sessions their requests
 * reuse (see {@link StatelessSessions}).
 */
public final class DownstreamSession implements MessageSink {
    private static final Logger log = LoggerFactory.getLogger(DownstreamSession.class);

    private record ServerRequest(UpstreamSession from, JsonNode upstreamId) {
    }

    private final String id;
    private final String connectionId;
    private final String gatewayId;
    private final String protocolVersion;
    private final ObjectNode clientInit;
    private final Upstreams upstreams;
    private final Map<String, UpstreamSlot> slots = new ConcurrentHashMap<>();
    private final Map<String, ServerRequest> serverRequests = new ConcurrentHashMap<>();
    private final Map<JsonNode, CallHandle> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong serverRequestIds = new AtomicLong();
    /** Requests Gatehouse itself made of the client (see {@link #askClient}), by the id sent. */
    private final Map<String, java.util.concurrent.CompletableFuture<ObjectNode>> ownRequests = new ConcurrentHashMap<>();
    private final StandaloneStream standalone;
    private final boolean stateless;
    private volatile Consumer<ObjectNode> unsolicited = m -> { };
    private volatile RelayScreen streamScreen = RelayScreen.NONE;
    private volatile Instant lastSeen = Instant.now();
    private volatile boolean closed;
    /** Upstream sessions carried on from another replica, not yet re-attached, by server id. */
    private final Map<String, ResumeState> resumed = new ConcurrentHashMap<>();
    /** The upstream session last seen per server, so a new one is noticed (and the session written again). */
    private final Map<String, UpstreamSession> seen = new ConcurrentHashMap<>();
    private volatile Runnable onChange = () -> { };
    private final java.util.concurrent.atomic.AtomicBoolean resumedFresh = new java.util.concurrent.atomic.AtomicBoolean();

    private final SessionLimits limits;
    private final BoundAlerts bounds;
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    DownstreamSession(String id, String connectionId, String gatewayId, String protocolVersion, ObjectNode clientInit,
                      Upstreams upstreams, SessionLimits limits, BoundAlerts bounds) {
        this(id, connectionId, gatewayId, protocolVersion, clientInit, upstreams, false, limits, bounds);
    }

    DownstreamSession(String id, String connectionId, String gatewayId, String protocolVersion, ObjectNode clientInit,
                      Upstreams upstreams, boolean stateless, SessionLimits limits, BoundAlerts bounds) {
        this(id, connectionId, gatewayId, protocolVersion, clientInit, upstreams, stateless, limits, bounds, Map.of(), 0);
    }

    /**
     * A session carried on from the database: {@code resumed} holds the upstream sessions to
     * re-attach to, by server id; its GET stream numbers events from {@code firstEvent} on, past
     * those the client may have seen from the replica before.
     */
    DownstreamSession(String id, String connectionId, String gatewayId, String protocolVersion, ObjectNode clientInit,
                      Upstreams upstreams, boolean stateless, SessionLimits limits, BoundAlerts bounds,
                      Map<String, ResumeState> resumed, long firstEvent) {
        this.resumed.putAll(resumed);
        this.limits = limits;
        this.bounds = bounds;
        this.stateless = stateless;
        this.id = id;
        this.connectionId = connectionId;
        this.gatewayId = gatewayId;
        this.protocolVersion = protocolVersion;
        this.clientInit = clientInit;
        this.upstreams = upstreams;
        this.standalone = new StandaloneStream(id, limits.replayEvents(), limits.replayBytes(), firstEvent);
    }

    public String id() {
        return id;
    }

    public String connectionId() {
        return connectionId;
    }

    public String gatewayId() {
        return gatewayId;
    }

    public String protocolVersion() {
        return protocolVersion;
    }

    public boolean closed() {
        return closed;
    }

    /** Whether this stands in for stateless clients (no GET stream; no server-to-client requests). */
    public boolean stateless() {
        return stateless;
    }

    /** Where a stateless stand-in sends what upstreams say outside any call (its listen streams). */
    void onUnsolicited(Consumer<ObjectNode> sink) {
        this.unsolicited = sink;
    }

    /** Where the pipeline's steps see what this session's GET stream carries (set once, at initialize). */
    public void screenStream(RelayScreen screen) {
        this.streamScreen = screen;
    }

    void touch() {
        lastSeen = Instant.now();
    }

    Instant lastSeen() {
        return lastSeen;
    }

    /** {@code clientInfo} as the client declared it (name, version, …); an empty object when it did not. */
    public JsonNode clientInfo() {
        return clientInit.path("clientInfo");
    }

    /** The capabilities the client declared at initialize. */
    public JsonNode clientCapabilities() {
        return clientInit.path("capabilities");
    }

    /**
     * A request Gatehouse itself makes of the client (not an upstream's), sent through {@code out}
     * (the calling request's stream); waits at most {@code timeout} for the answer, else answers a
     * timeout error. The answer comes back through {@link #answer} like any other.
     */
    public ObjectNode askClient(ObjectNode request, java.util.function.Consumer<ObjectNode> out, java.time.Duration timeout) {
        String gid = "gh-" + serverRequestIds.incrementAndGet();
        java.util.concurrent.CompletableFuture<ObjectNode> answer = new java.util.concurrent.CompletableFuture<>();
        ownRequests.put(gid, answer);
        try {
            ObjectNode sent = JsonRpc.request(gid, JsonRpc.method(request), request.get("params"));
            out.accept(sent);
            return answer.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return JsonRpc.error(null, JsonRpc.REQUEST_TIMEOUT, "the client did not answer within " + timeout.toMinutes() + " minutes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JsonRpc.error(null, JsonRpc.INTERNAL_ERROR, "interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return JsonRpc.error(null, JsonRpc.INTERNAL_ERROR, String.valueOf(e.getCause()));
        } finally {
            ownRequests.remove(gid);
        }
    }

    public boolean clientCan(String capability) {
        return clientInit.path("capabilities").has(capability);
    }

    /** The session with {@code server}, opening (or re-opening) it as needed. */
    public UpstreamSession upstream(ServerDef server) {
        UpstreamSlot known = slots.get(server.id());
        UpstreamSlot slot = known != null && !closed && known.server().equals(server) ? known : slots.compute(server.id(), (k, old) -> {
            if (closed) {
                throw sessionClosed();
            }
            if (old == null) {
                return new UpstreamSlot(server, resumed.remove(server.id()));
            }
            if (!old.server().equals(server)) {
                old.release(this);
                return new UpstreamSlot(server);
            }
            return old;
        });
        UpstreamSession up = slot.get(upstreams, clientInit, !stateless, this, connectionId, gatewayId);
        if (closed) {
            // close() ran while this upstream was being opened (a warm-up, a request in flight):
            // release it here, or nothing ever would.
            slot.release(this);
            slots.remove(server.id(), slot);
            throw sessionClosed();
        }
        if (seen.put(server.id(), up) != up) {
            onChange.run();
        }
        return up;
    }

    /**
     * Whether this session was carried on from the database and not yet taken up by the protocol
     * layer (which then sets up what initialize would have: the GET stream's screen, the warm-up).
     * Answers true once.
     */
    public boolean takeResumed() {
        return resumedFresh.compareAndSet(true, false);
    }

    void resumed(boolean fresh) {
        resumedFresh.set(fresh);
    }

    /** Called when the session's upstream sessions change (one opened, re-opened, or carried on). */
    void onChange(Runnable r) {
        this.onChange = r;
    }

    /** The initialize parameters the client sent (with the negotiated version). */
    ObjectNode clientInit() {
        return clientInit;
    }

    /** What another replica needs to re-attach to this session's upstream sessions, by server id. */
    Map<String, ResumeState> resumeStates() {
        Map<String, ResumeState> out = new java.util.TreeMap<>(resumed);
        slots.forEach((serverId, slot) -> {
            ResumeState r = slot.resumeState();
            if (r != null) {
                out.put(serverId, r);
            } else {
                out.remove(serverId);
            }
        });
        return out;
    }

    private static McpException sessionClosed() {
        return new McpException(JsonRpc.INTERNAL_ERROR, "the session was closed");
    }

    /** A list ({@code tools}, {@code prompts}, …) of {@code server} on this session's own upstream session. */
    public tools.jackson.databind.node.ArrayNode list(ServerDef server, String listKey) {
        UpstreamSession up = upstream(server);
        String capability = listKey.startsWith("resource") ? "resources" : listKey;
        return up.hasCapability(capability) ? up.list(listKey, upstreams.callTimeout()) : gatehouse.platform.Json.array();
    }

    /** Throws the JSON-RPC error telling the person what to do when this connection has no usable credential for the server. */
    public void requireIdentity(ServerDef server) {
        UpstreamSlot.requireIdentity(upstreams, server, connectionId, gatewayId);
    }

    /** Sessions already open, for fan-out that should not wake dead upstreams. */
    public UpstreamSession openUpstream(String serverId) {
        UpstreamSlot slot = slots.get(serverId);
        return slot == null ? null : slot.current();
    }

    // --- calls in flight, for cancellation

    /**
     * A client request goes to an upstream: counted against
     * {@code gatehouse.mcp.limits.calls-in-flight-per-session}; over it, refused with
     * {@link JsonRpc#LIMIT_REACHED} (and nothing to undo: {@link #finished} must not follow).
     */
    public void started(JsonNode clientRequestId, CallHandle handle) {
        enterCall();
        inFlight.put(clientRequestId, handle);
    }

    public void finished(JsonNode clientRequestId) {
        inFlight.remove(clientRequestId);
        leaveCall();
    }

    /** Counts a call that needs no cancellation by id (a stateless request); pair with {@link #leaveCall}. */
    public void enterCall() {
        int limit = limits.callsInFlightPerSession();
        if (calls.incrementAndGet() > limit) {
            calls.decrementAndGet();
            String setting = SessionLimits.setting("calls-in-flight-per-session");
            bounds.reached(setting, limit, connectionId, gatewayId, "A session of connection " + connectionId + " had "
                    + limit + " calls in flight (the limit); further calls are refused until some finish");
            throw limitReached(setting, limit, "Too many calls in flight on this session: at most " + limit
                    + " at once (" + setting + "); wait for one to finish");
        }
    }

    public void leaveCall() {
        calls.decrementAndGet();
    }

    /** Calls in flight now. */
    public int callsInFlight() {
        return calls.get();
    }

    /** Upstream requests relayed to the client and not yet answered. */
    public int clientRequestsWaiting() {
        return serverRequests.size();
    }

    /** The replay buffer of the GET stream: events kept, bytes kept, events dropped so far. */
    public long[] replayBuffer() {
        return standalone.kept();
    }

    /** The error a refused bound answers: its setting and value in {@code data}. */
    public static McpException limitReached(String setting, int limit, String message) {
        return new McpException(JsonRpc.LIMIT_REACHED, message, Json.object().put("setting", setting).put("limit", limit));
    }

    public void cancel(JsonNode clientRequestId, String reason) {
        CallHandle h = inFlight.remove(clientRequestId);
        if (h != null) {
            h.cancel(reason);
        }
    }

    // --- messages from upstreams

    /** Unsolicited upstream messages go to the standalone stream. */
    @Override
    public void deliver(UpstreamSession from, ObjectNode message) {
        if (stateless) {
            // Stateless clients cannot be asked anything outside a call; list changes and resource
            // updates go to their subscriptions/listen streams.
            if (JsonRpc.isRequest(message)) {
                from.send(JsonRpc.error(message.get("id"), JsonRpc.METHOD_NOT_FOUND,
                        "the stateless (2026-07-28) clients behind this gateway cannot answer " + JsonRpc.method(message)
                                + " outside a request"));
            } else if (!closed) {
                unsolicited.accept(message);
            }
            return;
        }
        relay(from, message, m -> standalone.send(Json.bytes(m)), streamScreen, true);
    }

    /**
     * Prepares an upstream message for this client and hands it to {@code out}: a server request
     * gets a session-unique id (answers are mapped back); one the client cannot answer is refused
     * on its behalf. {@code screen} shows it to the pipeline's steps first: a request they refuse
     * is answered to the upstream, a notification they drop goes nowhere.
     */
    public void relay(UpstreamSession from, ObjectNode message, Consumer<ObjectNode> out, RelayScreen screen) {
        relay(from, message, out, screen, false);
    }

    private void relay(UpstreamSession from, ObjectNode message, Consumer<ObjectNode> out, RelayScreen screen, boolean stream) {
        if (closed) {
            return;
        }
        boolean request = JsonRpc.isRequest(message);
        if (request && !clientCanAnswer(from, message)) {
            return;
        }
        RelayScreen.Flow flow = request ? RelayScreen.Flow.SERVER_REQUEST
                : stream ? RelayScreen.Flow.STREAM_EVENT : RelayScreen.Flow.NOTIFICATION_TO_CLIENT;
        ObjectNode screened = screen.screen(flow, from == null ? null : from.server().id(), message);
        if (screened == null) {
            return;
        }
        if (request && JsonRpc.isResponse(screened)) {
            screened.set("id", message.get("id"));
            from.send(screened);
            return;
        }
        if (request && serverRequests.size() >= limits.clientRequestsPerSession()) {
            int limit = limits.clientRequestsPerSession();
            String setting = SessionLimits.setting("client-requests-per-session");
            bounds.reached(setting, limit, connectionId, gatewayId, "A session of connection " + connectionId + " has " + limit
                    + " unanswered requests from upstreams (the limit); server " + (from == null ? "?" : from.server().name())
                    + " was refused another");
            from.send(JsonRpc.error(message.get("id"), JsonRpc.LIMIT_REACHED, "the client already has " + limit
                    + " unanswered requests from this gateway's upstreams (" + setting + ")"));
            return;
        }
        if (request) {
            String gid = "gh-" + serverRequestIds.incrementAndGet();
            serverRequests.put(gid, new ServerRequest(from, screened.get("id")));
            screened.put("id", gid);
        }
        out.accept(screened);
    }

    /** Refuses, on the client's behalf, a server request it declared no capability for. */
    private boolean clientCanAnswer(UpstreamSession from, ObjectNode request) {
        String method = JsonRpc.method(request);
        String needed = switch (method) {
            case "sampling/createMessage" -> "sampling";
            case "elicitation/create" -> "elicitation";
            case "roots/list" -> "roots";
            default -> null;
        };
        if (needed != null && !clientCan(needed)) {
            if (!gatehouse.gateway.upstream.Upstreams.shared(from.server())) {
                // only a session opened with this client's own capabilities; a shared one was told it may ask
                from.misbehaved("uninvited-request", "sent " + method + " although the client declared no " + needed + " capability");
            }
            from.send(JsonRpc.error(request.get("id"), JsonRpc.METHOD_NOT_FOUND,
                    "the client behind this gateway does not support " + method));
            return false;
        }
        return true;
    }

    /**
     * A client's answer to a server request: shown to the steps (which may replace it, or turn it
     * into an error), then back to the upstream that asked, under its id.
     */
    public boolean answer(ObjectNode response, RelayScreen screen) {
        JsonNode id = response.get("id");
        java.util.concurrent.CompletableFuture<ObjectNode> own = id != null && id.isString() ? ownRequests.remove(id.stringValue()) : null;
        if (own != null) {
            own.complete(response);
            return true;
        }
        ServerRequest r = id != null && id.isString() ? serverRequests.remove(id.stringValue()) : null;
        if (r == null) {
            log.debug("session {}: answer to unknown server request {}", this.id, id);
            return false;
        }
        ObjectNode screened = screen.screen(RelayScreen.Flow.CLIENT_ANSWER, r.from().server().id(), response);
        if (screened == null) {
            screened = JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "the answer was withheld by the gateway");
        }
        screened.set("id", r.upstreamId());
        r.from().send(screened);
        return true;
    }

    /** Client notifications that every open upstream should see (roots changed, and the like). */
    public void broadcast(ObjectNode notification) {
        for (UpstreamSlot slot : slots.values()) {
            UpstreamSession s = slot.current();
            if (s != null) {
                s.send(notification.deepCopy());
            }
        }
    }

    // --- standalone stream

    public void attachStream(EventStream w, String lastEventId) {
        standalone.attach(w, lastEventId);
    }

    public boolean keepAlive(EventStream w) {
        return !closed && standalone.keepAlive(w);
    }

    public boolean streamAttached(EventStream w) {
        return !closed && standalone.attached(w);
    }

    public void detachStream(EventStream w) {
        standalone.detach(w);
    }

    public void closeStreams() {
        standalone.closeWriter();
    }

    /**
     * Stops serving the session here but leaves its upstream sessions open at the upstreams, for
     * another replica (or this one after a restart) to carry on from the database.
     */
    void leave() {
        closed = true;
        standalone.closeWriter();
        inFlight.values().forEach(h -> h.cancel("session moving to another replica"));
        for (String serverId : List.copyOf(slots.keySet())) {
            slots.computeIfPresent(serverId, (k, slot) -> {
                slot.release(this, true);
                return null;
            });
        }
    }

    void close() {
        closed = true;
        standalone.closeWriter();
        inFlight.values().forEach(h -> h.cancel("session closed"));
        // compute() on each slot serialises with upstream(), which re-checks closed afterwards.
        for (String serverId : List.copyOf(slots.keySet())) {
            slots.computeIfPresent(serverId, (k, slot) -> {
                slot.release(this);
                return null;
            });
        }
    }
}
