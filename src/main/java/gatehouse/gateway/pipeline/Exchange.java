package gatehouse.gateway.pipeline;

import gatehouse.gateway.protocol.RawResults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.gateway.routing.Route;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One message's trip through the pipeline, carried from the transport to completion: who calls,
 * in which protocol generation and session, what was asked, where it was routed, what came back,
 * how long it took and what every step decided. Steps read it; only the pipeline moves it on.
 * Not thread-safe beyond what is noted: relayed messages of one exchange may arrive on upstream
 * threads, so decisions are collected in a synchronized list.
 */
public final class Exchange {

    /** The protocol generation of the request, decided once. */
    public enum Generation {
        /** 2025-11-25 and earlier: a session named by {@code Mcp-Session-Id}. */
        SESSION,
        /** 2026-07-28: stateless, per-request {@code _meta}. */
        STATELESS
    }

    /** Who is calling, once authenticated. */
    public record Caller(Connection connection, GatewayDef gateway, CatalogSnapshot catalog) {
        public String connectionId() {
            return connection.id();
        }

        public String gatewayId() {
            return gateway.id();
        }

        /** The person behind an interactive connection; null for an API-token host. */
        public String userId() {
            return connection.userId();
        }

        /** The API-token host; null for a person's connection. */
        public String hostId() {
            return connection.hostId();
        }
    }

    private final long startedNanos;
    private volatile Caller caller;
    private volatile Generation generation;
    private volatile String method;
    private final List<Decision> decisions = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Object> attributes = new HashMap<>();
    private volatile String sessionId;
    private volatile ObjectNode request;
    private volatile Route route;
    private volatile ObjectNode response;
    private volatile long upstreamNanos;
    private volatile String status;
    private volatile Function<String, String> headers = name -> null;
    private volatile String kind = "http";
    private volatile String correlationId;
    private volatile String featureKind;
    private volatile String target;
    private volatile String serverId;
    private volatile Integer errorCode;
    private volatile String errorMessage;
    private volatile JsonNode input;
    private volatile JsonNode output;
    private volatile java.util.function.Supplier<JsonNode> definition = () -> null;

    public Exchange(long startedNanos, Caller caller, Generation generation, String method, ObjectNode request) {
        this.startedNanos = startedNanos;
        this.caller = caller;
        this.generation = generation;
        this.method = method;
        this.request = request;
    }

    /** An exchange the pipeline fills in as it learns who calls and what (the transport knows only the time). */
    Exchange(long startedNanos) {
        this.startedNanos = startedNanos;
    }

    void caller(Caller caller) {
        this.caller = caller;
    }

    private volatile gatehouse.gateway.pipeline.Generation strategy;
    private volatile boolean ownError;

    /** Whether the response is an error the gateway made itself (not one relayed from an upstream). */
    boolean ownError() {
        return ownError;
    }

    void ownError(boolean own) {
        this.ownError = own;
    }

    private volatile java.util.function.BooleanSupplier stillAuthorized = () -> true;

    /**
     * Whether the caller's credential still admits it, asked again and again by long-lived streams
     * (GET, {@code subscriptions/listen}): false once the token expired or was revoked or rotated,
     * the connection disabled or removed, or the person lost the gateway.
     */
    boolean stillAuthorized() {
        return stillAuthorized.getAsBoolean();
    }

    void stillAuthorized(java.util.function.BooleanSupplier check) {
        this.stillAuthorized = check;
    }

    private volatile java.util.function.BiFunction<gatehouse.catalog.ServerDef, String, tools.jackson.databind.node.ArrayNode> callersList;

    /**
     * A list ({@code tools}, {@code prompts}, …) of {@code server} as the caller's own upstream
     * session gets it, with the caller's credential; null when the request has no session to ask.
     * For a server Gatehouse does not list in the background (personal identities only).
     */
    public tools.jackson.databind.node.ArrayNode listOnCallersSession(gatehouse.catalog.ServerDef server, String listKey) {
        var lister = callersList;
        return lister == null ? null : lister.apply(server, listKey);
    }

    void callersList(java.util.function.BiFunction<gatehouse.catalog.ServerDef, String, tools.jackson.databind.node.ArrayNode> lister) {
        this.callersList = lister;
    }

    private volatile java.time.Duration retryAfter;

    /** Set when a step throttled the request: how long the client should wait (HTTP 429, Retry-After). */
    public java.time.Duration retryAfter() {
        return retryAfter;
    }

    void retryAfter(java.time.Duration wait) {
        this.retryAfter = wait;
    }

    /** The generation's strategy, chosen once for this request. */
    gatehouse.gateway.pipeline.Generation strategy() {
        return strategy;
    }

    void strategy(gatehouse.gateway.pipeline.Generation strategy) {
        this.strategy = strategy;
        this.generation = strategy.id();
    }

    void method(String method) {
        this.method = method;
    }

    public void headers(Function<String, String> headers) {
        this.headers = headers;
    }

    public long startedNanos() {
        return startedNanos;
    }

    /** Null only for a request refused before authentication succeeded. */
    public Caller caller() {
        return caller;
    }

    public Generation generation() {
        return generation;
    }

    /** The JSON-RPC method; for a stream ({@code GET}, {@code subscriptions/listen}) the stream's own. */
    public String method() {
        return method;
    }

    /** The downstream session id (2025 generation); null for stateless requests. */
    public String sessionId() {
        return sessionId;
    }

    public void sessionId(String id) {
        this.sessionId = id;
    }

    /** The request: as the client sent it before routing, as the upstream gets it after. */
    public ObjectNode request() {
        return request;
    }

    public void request(ObjectNode message) {
        this.request = message;
    }

    /** Where the request goes; null before routing and for what the gateway answers itself. */
    public Route route() {
        return route;
    }

    public void route(Route route) {
        this.route = route;
    }

    private RawResults.Raw rawResult;
    private boolean rawResultShaped;

    /** The final JSON-RPC response; null until there is one. Steps change it only by a {@code Replace} with a copy. */
    public ObjectNode response() {
        return response;
    }

    public void response(ObjectNode message) {
        this.response = message;
    }

    /**
     * The bytes of the response's result as the upstream sent them (or as the gateway serialized
     * them once, for a list it keeps): the answer copies them instead of serializing the result
     * again while the response still holds that very result node. Null when there are none.
     */
    RawResults.Raw rawResult() {
        return rawResult;
    }

    void rawResult(RawResults.Raw raw) {
        this.rawResult = raw;
        this.rawResultShaped = false;
    }

    /** As {@link #rawResult(RawResults.Raw)} for a result the answer's shape has finished already (a shared list). */
    void shapedRawResult(RawResults.Raw raw) {
        this.rawResult = raw;
        this.rawResultShaped = true;
    }

    /** Whether the raw result was finished by the answer's shape already (see {@link PostAnswer#finish}). */
    boolean rawResultShaped() {
        return rawResultShaped;
    }

    /** Time spent waiting on the upstream, in nanoseconds (0 when none was called). */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    public void addUpstreamNanos(long nanos) {
        this.upstreamNanos += nanos;
    }

    /** {@code ok}, {@code error}, {@code denied} or {@code rejected}; null while running. */
    public String status() {
        return status;
    }

    public void status(String status) {
        this.status = status;
    }

    /** An HTTP header of the request that opened the exchange (null when absent). */
    public String header(String name) {
        return headers.apply(name);
    }

    /** What the client sent: {@code request}, {@code response} (an answer to a server request), {@code notification}, or {@code http} for one refused before it was read. */
    public String kind() {
        return kind;
    }

    public void kind(String kind) {
        this.kind = kind;
    }

    /** The JSON-RPC id of the client's message, as text; null when it has none. */
    public String correlationId() {
        return correlationId;
    }

    public void correlationId(String id) {
        this.correlationId = id;
    }

    /**
     * What the request names, as the client named it: the kind of feature ({@code tools},
     * {@code prompts}, {@code resources}) and the exposed tool or prompt name or resource URI. Null
     * for requests that name no feature (lists, ping).
     */
    public String featureKind() {
        return featureKind;
    }

    public String target() {
        return target;
    }

    public void target(String featureKind, String target) {
        this.featureKind = featureKind;
        this.target = target;
    }

    /** The upstream server the exchange went to: the route's, or one named without a route. */
    public String serverId() {
        Route r = route;
        return r != null ? r.server().id() : serverId;
    }

    public void serverId(String serverId) {
        this.serverId = serverId;
    }

    /** The JSON-RPC error code the client got, if the exchange failed. */
    public Integer errorCode() {
        return errorCode;
    }

    public String errorMessage() {
        return errorMessage;
    }

    public void error(Integer code, String message) {
        this.errorCode = code;
        this.errorMessage = message;
    }

    /** The JSON tokens are counted from (the arguments, the result); never stored. */
    public JsonNode input() {
        return input;
    }

    public JsonNode output() {
        return output;
    }

    public void counted(JsonNode input, JsonNode output) {
        this.input = input;
        this.output = output;
    }

    /**
     * The routed tool's or prompt's definition as its server lists it (from the list cache), or
     * null when there is none; looked up only when a step asks.
     */
    public JsonNode definition() {
        return definition.get();
    }

    public void definition(java.util.function.Supplier<JsonNode> lookup) {
        this.definition = lookup;
    }

    private volatile JsonNode clientInfo;

    /** {@code clientInfo} as the client declared it (name, version); null when unknown. */
    public JsonNode clientInfo() {
        return clientInfo;
    }

    public void clientInfo(JsonNode info) {
        this.clientInfo = info;
    }

    /** Milliseconds since the exchange began. */
    public double elapsedMs() {
        return (System.nanoTime() - startedNanos) / 1e6;
    }

    public List<Decision> decisions() {
        synchronized (decisions) {
            return List.copyOf(decisions);
        }
    }

    public void decide(List<Decision> more) {
        if (!more.isEmpty()) {
            decisions.addAll(more);
        }
    }

    public boolean hasDecisions() {
        return !decisions.isEmpty();
    }

    private final List<java.util.concurrent.CompletableFuture<List<Decision>>> later = Collections.synchronizedList(new ArrayList<>());

    /**
     * Decisions a step makes after the message has gone on (an alert-only scan by a remote engine):
     * the log record waits for them, off the request path, within a bound.
     */
    public void decideLater(java.util.concurrent.CompletableFuture<List<Decision>> decisions) {
        later.add(decisions);
    }

    /** The decisions still to come ({@link #decideLater}). */
    public List<java.util.concurrent.CompletableFuture<List<Decision>>> laterDecisions() {
        synchronized (later) {
            return List.copyOf(later);
        }
    }

    private final Map<String, String> upstreamHeaders = new java.util.concurrent.ConcurrentHashMap<>();

    /** Adds an HTTP header to the requests this exchange makes to an HTTP upstream (trace context). */
    public void upstreamHeader(String name, String value) {
        upstreamHeaders.put(name, value);
    }

    /** The headers steps asked to send upstream. */
    public Map<String, String> upstreamHeaders() {
        return Map.copyOf(upstreamHeaders);
    }

    /** Per-exchange state a step keeps between its hooks (a span, a start time), by the step's own key. */
    @SuppressWarnings("unchecked")
    private volatile ClientPrompt prompt = ClientPrompt.NONE;

    /** How a step asks the person behind this request something through their client. */
    public ClientPrompt prompt() {
        return prompt;
    }

    public void prompt(ClientPrompt prompt) {
        this.prompt = prompt == null ? ClientPrompt.NONE : prompt;
    }

    public synchronized <T> T attribute(String key) {
        return (T) attributes.get(key);
    }

    public synchronized void attribute(String key, Object value) {
        attributes.put(key, value);
    }
}
