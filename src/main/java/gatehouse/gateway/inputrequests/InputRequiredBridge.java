package gatehouse.gateway.inputrequests;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import gatehouse.gateway.protocol.ErrorReplies;
import gatehouse.gateway.upstream.CredentialUnusableException;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.RelayScreen;
import gatehouse.gateway.session.BoundAlerts;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.session.SessionLimits;
import gatehouse.gateway.upstream.CallHandle;
import gatehouse.gateway.upstream.MessageSink;
import gatehouse.gateway.upstream.OutgoingHeaders;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Ids;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a stateless client's request on an upstream and speaks multi round-trip requests (MRTR) to
 * the client, whatever the upstream's generation.
 *
 * <p><b>2025 upstream.</b> Its sampling, elicitation and roots requests arrive in the middle of the
 * call. They are gathered (requests sent together come as one round) and answered to the client as
 * an {@code input_required} result whose {@code inputRequests} keys Gatehouse chooses and whose
 * {@code requestState} it seals and binds to the connection, the method, the target and the
 * arguments. The upstream call meanwhile waits, parked here under a random handle; the client's retry
 * with {@code inputResponses} answers the upstream's requests and the call goes on. If the retry
 * reaches a replica that does not hold the parked call (another replica, a restart, an expired
 * park), the request is replayed from the start: the state carries every answer given so far, and
 * the keys are derived from the requests' content, so the replayed upstream gets the same answers to
 * the same questions (a tool with side effects before its first question repeats them; the parked
 * path, the normal one, does not).
 *
 * <p>Server requests the client did not declare the capability for are refused to the upstream at
 * once; if the call then fails, the client gets {@code -32021} naming the capabilities it lacked.
 *
 * <p><b>2026 upstream.</b> Its {@code input_required} passes through, but its {@code requestState}
 * travels sealed inside Gatehouse's own, so a state cannot be replayed on another connection (with a
 * shared upstream credential the upstream could not tell the callers apart).
 */
@Component
public class InputRequiredBridge implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(InputRequiredBridge.class);
    /** How long a client may take to answer a round. */
    static final Duration STATE_TTL = Duration.ofMinutes(10);
    /**
     * Requests an upstream sends within this quiet time of each other form one round (at most
     * {@code GATHER_MAX_MS} in all). Generous, so requests sent together on a busy machine still
     * come as one round; a round waits for a person or a model anyway, so the wait costs little.
     */
    private static final long GATHER_QUIET_MS = 150;
    private static final long GATHER_MAX_MS = 1_000;
    private static final int MAX_ROUNDS = 32;
    /** A key an upstream may suggest for its request, in the request's {@code _meta}. */
    public static final String KEY_HINT = "io.gatehouse/inputKey";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Map<String, String> CAPABILITY = Map.of("sampling/createMessage", "sampling", "elicitation/create",
            "elicitation", "roots/list", "roots");

    private final RequestStateSeal seal;
    private final Upstreams upstreams;
    private final ErrorReplies errors;
    private final Map<String, BridgedCall> parked = new ConcurrentHashMap<>();
    private final SessionLimits limits;
    private final BoundAlerts bounds;

    /** {@code errors}: the pipeline's one translation of failures into error answers. */
    @org.springframework.beans.factory.annotation.Autowired
    public InputRequiredBridge(RequestStateSeal seal, Upstreams upstreams, ErrorReplies errors, SessionLimits limits, BoundAlerts bounds) {
        this.seal = seal;
        this.upstreams = upstreams;
        this.errors = errors;
        this.limits = limits;
        this.bounds = bounds;
    }

    /** With the default limits and no alerts (tests of the bridge alone). */
    public InputRequiredBridge(RequestStateSeal seal, Upstreams upstreams, ErrorReplies errors) {
        this(seal, upstreams, errors, SessionLimits.DEFAULTS, null);
    }

    /**
     * One request of a stateless client, routed to {@code upstream}.
     *
     * @param connectionId the caller's connection (the state is bound to it)
     * @param serverId the upstream server (a 2026 upstream's state is bound to it)
     * @param request the request as the upstream should see it (name already mapped); its
     *                {@code inputResponses} and {@code requestState} are taken out here
     * @param clientCapabilities what this request declared
     * @param inputAllowed whether this method may answer {@code input_required} (tools/call,
     *                     prompts/get, resources/read); for others every server request is refused
     * @param screen shows the pipeline's steps every input request, input response and notification
     */
    public record Call(String connectionId, String serverId, UpstreamSession upstream, ObjectNode request,
                       ObjectNode clientCapabilities, boolean inputAllowed, RelayScreen screen) {
    }

    /**
     * Runs the call and returns the response for the client (a result, an {@code input_required}
     * result, or an error), or null when it was cancelled. Interim notifications go to {@code interim}.
     */
    public ObjectNode execute(Call call, Consumer<ObjectNode> interim, CallHandle handle) {
        ObjectNode request = call.request();
        JsonNode id = request.get("id");
        ObjectNode params = JsonRpc.params(request);
        JsonNode responses = params == null ? null : params.remove("inputResponses");
        JsonNode stateNode = params == null ? null : params.remove("requestState");
        if (responses != null && !(responses instanceof ObjectNode)) {
            return invalid(id, "params.inputResponses must be an object mapping each key of inputRequests to the client's result");
        }
        ObjectNode given = responses == null ? Json.object() : (ObjectNode) responses;
        for (var e : given.properties()) {
            if (!e.getValue().isObject()) {
                return invalid(id, "params.inputResponses." + e.getKey() + " must be an object: the result of that input request");
            }
        }
        for (String key : java.util.List.copyOf(given.propertyNames())) {
            ObjectNode screened = call.screen().screen(RelayScreen.Flow.INPUT_RESPONSE, call.serverId(), (ObjectNode) given.get(key));
            if (screened == null) {
                given.remove(key); // withheld: the upstream is asked again
            } else {
                given.set(key, screened);
            }
        }
        if (stateNode != null && !stateNode.isString()) {
            return invalid(id, "params.requestState must be a string");
        }
        // Hashed only when needed: a stateless upstream's call needs it only when the upstream answers
        // input_required (or a state comes with the retry), so most calls never hash their request.
        Supplier<String> bindingOf = bindingLater(call.connectionId(), call.serverId(), request);
        RequestState state = null;
        if (stateNode != null) {
            try {
                state = seal.open(stateNode.stringValue(), bindingOf.get());
            } catch (RequestStateSeal.InvalidStateException e) {
                log.info("connection {}: refused a requestState ({})", call.connectionId(), e.reason());
                return invalid(id, "params.requestState is invalid, expired, or was issued for another connection or request;"
                        + " send the request again without it");
            }
        }
        if (call.upstream().stateless()) {
            return viaStatelessUpstream(call, state, given, bindingOf, interim, handle);
        }
        String binding = bindingOf.get();
        if (state != null) {
            if (!(state instanceof RequestState.Bridged bridged)) {
                return invalid(id, "params.requestState does not belong to this request");
            }
            BridgedCall f = parked.get(bridged.callId());
            if (f != null && f.binding.equals(binding) && f.round == bridged.round()) {
                return resume(f, given, call, interim, id);
            }
            // Not parked here (another replica, a restart, an expired park): replay with every answer so far.
            ObjectNode answers = bridged.answers();
            answers.setAll(given);
            return start(call, answers, binding, interim, handle);
        }
        return start(call, given.deepCopy(), binding, interim, handle);
    }

    private ObjectNode start(Call call, ObjectNode answers, String binding, Consumer<ObjectNode> interim, CallHandle handle) {
        BridgedCall f = new BridgedCall(Ids.random(32), call.connectionId(), binding, answers, handle == null ? new CallHandle() : handle,
                limits.clientRequestsPerSession());
        f.prepare(call, interim);
        JsonNode clientId = call.request().get("id");
        ObjectNode upstreamRequest = call.request().deepCopy();
        Duration limit = upstreams.callTimeout().compareTo(STATE_TTL) > 0 ? upstreams.callTimeout() : STATE_TTL;
        // the call's own thread keeps the request's outgoing headers (its trace context)
        Thread.ofVirtual().name("input-rounds-" + call.serverId()).start(OutgoingHeaders.carried(() -> {
            ObjectNode response = null;
            CredentialUnusableException unusable = null;
            try {
                response = call.upstream().call(upstreamRequest, limit, f, f.handle);
            } catch (CredentialUnusableException e) {
                unusable = e; // the request's own thread throws it: the pipeline may renew the credential and go again
            } catch (RuntimeException e) {
                response = errors.reply(clientId, e);
            }
            f.events.add(new Done(response, unusable));
        }));
        f.lock.lock();
        try {
            return await(f, clientId);
        } finally {
            f.lock.unlock();
        }
    }

    private ObjectNode resume(BridgedCall f, ObjectNode given, Call call, Consumer<ObjectNode> interim, JsonNode clientId) {
        if (!f.lock.tryLock()) {
            return invalid(clientId, "params.requestState is being used by another request right now");
        }
        try {
            if (!parked.remove(f.id, f)) {
                return invalid(clientId, "params.requestState was already used; send the request again without it");
            }
            f.prepare(call, interim);
            for (var e : given.properties()) {
                synchronized (f.answers) {
                    f.answers.set(e.getKey(), e.getValue());
                }
                Asked a = f.outstanding.remove(e.getKey());
                if (a != null) {
                    f.asks.decrementAndGet();
                    a.from.send(JsonRpc.result(a.upstreamId, e.getValue()));
                }
            }
            if (!f.outstanding.isEmpty()) {
                return inputRequired(f, clientId); // some answers are still missing: ask for those again
            }
            return await(f, clientId);
        } finally {
            f.lock.unlock();
        }
    }

    /** Waits for the call to end or to need input. */
    private ObjectNode await(BridgedCall f, JsonNode clientId) {
        long timeoutMs = upstreams.callTimeout().toMillis();
        try {
            Object ev = f.events.poll(timeoutMs, TimeUnit.MILLISECONDS);
            if (ev == null) {
                f.handle.cancel("timed out");
                return errors.reply(clientId, JsonRpc.REQUEST_TIMEOUT, "the upstream did not answer within " + timeoutMs / 1000 + "s");
            }
            if (ev instanceof Done d) {
                return finish(f, d, clientId);
            }
            f.outstanding.put(((Asked) ev).key, (Asked) ev);
            long gatherUntil = System.currentTimeMillis() + GATHER_MAX_MS;
            while (System.currentTimeMillis() < gatherUntil) {
                Object more = f.events.poll(GATHER_QUIET_MS, TimeUnit.MILLISECONDS);
                if (more == null) {
                    break;
                }
                if (more instanceof Done d) {
                    return finish(f, d, clientId);
                }
                f.outstanding.put(((Asked) more).key, (Asked) more);
            }
            return inputRequired(f, clientId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.handle.cancel("interrupted");
            return errors.reply(clientId, JsonRpc.INTERNAL_ERROR, "interrupted");
        }
    }

    private ObjectNode inputRequired(BridgedCall f, JsonNode clientId) {
        if (++f.round > MAX_ROUNDS) {
            f.handle.cancel("too many input rounds");
            return errors.reply(clientId, JsonRpc.INTERNAL_ERROR, "the upstream asked for input more than " + MAX_ROUNDS + " times");
        }
        ObjectNode result = Json.object();
        result.put("resultType", "input_required");
        ObjectNode requests = result.putObject("inputRequests");
        for (Asked a : f.outstanding.values()) {
            ObjectNode r = requests.putObject(a.key);
            r.put("method", a.method);
            r.set("params", a.params);
        }
        RequestState.Bridged state;
        synchronized (f.answers) {
            state = new RequestState.Bridged(f.id, f.round, f.answers);
        }
        ObjectNode refusal = overParkingBound(f, clientId);
        if (refusal != null) {
            return refusal;
        }
        result.put("requestState", seal.seal(state, f.binding, STATE_TTL));
        f.parkedUntil = Instant.now().plus(STATE_TTL);
        f.interim = m -> { }; // nobody listens until the client comes back
        parked.put(f.id, f);
        return JsonRpc.result(clientId, result);
    }

    /**
     * A call about to be parked while its client answers: over the connection's or the replica's
     * bound it is cancelled upstream instead, and the client gets {@link JsonRpc#LIMIT_REACHED}.
     */
    private ObjectNode overParkingBound(BridgedCall f, JsonNode clientId) {
        int all = parked.size();
        String setting;
        int limit;
        if (all >= limits.parkedInputs()) {
            setting = SessionLimits.setting("parked-inputs");
            limit = limits.parkedInputs();
        } else {
            long mine = parked.values().stream().filter(p -> p.connectionId.equals(f.connectionId)).count();
            if (mine < limits.parkedInputsPerConnection()) {
                return null;
            }
            setting = SessionLimits.setting("parked-inputs-per-connection");
            limit = limits.parkedInputsPerConnection();
        }
        f.handle.cancel("too many calls waiting for input");
        if (bounds != null) {
            bounds.reached(setting, limit, setting.endsWith("connection") ? f.connectionId : "replica", null,
                    limit + " calls wait for their clients' input (" + setting + "); a call of connection " + f.connectionId
                            + " that asked for input was cancelled");
        }
        log.info("connection {}: a call asking for input was cancelled, {} reached", f.connectionId, setting);
        return errors.reply(clientId, DownstreamSession.limitReached(setting, limit, "Too many calls are waiting for input: at most "
                + limit + " (" + setting + "); answer or abandon the ones waiting, then retry"));
    }

    /** The call ended: the client gets its response, or -32021 if it failed after a capability was refused. */
    private ObjectNode finish(BridgedCall f, Done done, JsonNode clientId) {
        parked.remove(f.id, f);
        if (done.unusable() != null) {
            throw done.unusable();
        }
        ObjectNode response = done.response();
        if (response == null) {
            return null;
        }
        response.set("id", clientId);
        boolean failed = response.has("error") || response.path("result").path("isError").asBoolean(false);
        if (failed && !f.refused.isEmpty()) {
            ObjectNode data = Json.object();
            ObjectNode caps = data.putObject("requiredCapabilities");
            f.refused.forEach(caps::putObject);
            return errors.reply(clientId, new McpException(JsonRpc.MISSING_CLIENT_CAPABILITY,
                    "The request needs client capabilities it did not declare: " + String.join(", ", f.refused), data));
        }
        return response;
    }

    // --- a 2026 upstream: pass input_required through, with its state sealed inside ours

    private ObjectNode viaStatelessUpstream(Call call, RequestState state, ObjectNode given, Supplier<String> binding,
                                           Consumer<ObjectNode> interim, CallHandle handle) {
        ObjectNode request = call.request();
        JsonNode clientId = request.get("id");
        ObjectNode params = JsonRpc.params(request);
        if (state != null) {
            if (!(state instanceof RequestState.Upstream upstream)) {
                return invalid(clientId, "params.requestState does not belong to this request");
            }
            if (upstream.upstreamState() != null) {
                params.put("requestState", upstream.upstreamState());
            }
        }
        if (!given.isEmpty() && params != null) {
            params.set("inputResponses", given);
        }
        ObjectNode response = call.upstream().call(request, upstreams.callTimeout(),
                (from, m) -> {
                    if (JsonRpc.isRequest(m)) {
                        from.send(JsonRpc.error(m.get("id"), JsonRpc.METHOD_NOT_FOUND, "stateless clients cannot be asked " + JsonRpc.method(m)));
                    } else {
                        ObjectNode screened = call.screen().screen(RelayScreen.Flow.NOTIFICATION_TO_CLIENT, call.serverId(), m);
                        if (screened != null) {
                            interim.accept(screened);
                        }
                    }
                }, handle);
        if (response != null && response.get("result") instanceof ObjectNode result
                && "input_required".equals(result.path("resultType").asString(""))) {
            if (!call.inputAllowed()) {
                return errors.reply(clientId, JsonRpc.INTERNAL_ERROR, "the upstream answered " + JsonRpc.method(request)
                        + " with input_required, which that method does not allow");
            }
            if (result.get("inputRequests") instanceof ObjectNode asked) {
                for (String key : java.util.List.copyOf(asked.propertyNames())) {
                    if (!(asked.get(key) instanceof ObjectNode one)) {
                        continue;
                    }
                    ObjectNode screened = call.screen().screen(RelayScreen.Flow.INPUT_REQUEST, call.serverId(), one);
                    if (screened == null || JsonRpc.isResponse(screened)) {
                        JsonNode error = screened == null ? null : screened.get("error");
                        return errors.reply(clientId, new McpException(
                                error == null ? JsonRpc.INTERNAL_ERROR : error.path("code").asInt(JsonRpc.INTERNAL_ERROR),
                                error == null ? "withheld by the gateway" : error.path("message").asString("withheld by the gateway"),
                                error == null ? null : error.get("data")));
                    }
                    asked.set(key, screened);
                }
            }
            JsonNode upstreamState = result.get("requestState");
            RequestState.Upstream sealed = new RequestState.Upstream(
                    upstreamState != null && upstreamState.isString() ? upstreamState.stringValue() : null);
            result.put("requestState", seal.seal(sealed, binding.get(), STATE_TTL));
        }
        return response;
    }

    // --- helpers

    /**
     * What a state is bound to: the connection, the server, the method, and what the request names
     * and passes (tool or prompt name, resource URI, arguments). The retry must repeat the request.
     */
    static String binding(String connectionId, String serverId, ObjectNode request) {
        return bindingLater(connectionId, serverId, request).get();
    }

    /**
     * The binding of {@code request}, hashed when first asked for. What it covers is taken now (the
     * same nodes: names and arguments are not changed once the call is on its way upstream; the
     * transport adds only {@code _meta}).
     */
    static Supplier<String> bindingLater(String connectionId, String serverId, ObjectNode request) {
        ObjectNode params = JsonRpc.params(request);
        ObjectNode subject = Json.object();
        subject.put("m", JsonRpc.method(request));
        if (params != null) {
            for (String f : new String[] {"name", "uri", "arguments", "ref", "argument"}) {
                if (params.has(f)) {
                    subject.set(f, params.get(f));
                }
            }
        }
        String[] hashed = new String[1];
        return () -> {
            if (hashed[0] == null) {
                hashed[0] = connectionId + "\n" + serverId + "\n" + CanonicalJson.sha256(subject);
            }
            return hashed[0];
        };
    }

    /**
     * The key of a server request: the upstream's suggestion when it makes one, else derived from
     * the request's content, so a replayed upstream asking the same question gets the same key.
     */
    static String keyFor(String method, ObjectNode params, Map<String, Integer> seen) {
        JsonNode hint = params == null ? null : params.path("_meta").get(KEY_HINT);
        String base;
        if (hint != null && hint.isString() && KEY.matcher(hint.stringValue()).matches()) {
            base = hint.stringValue();
        } else {
            ObjectNode content = params == null ? Json.object() : params.deepCopy();
            content.remove("_meta");
            content.put("method", method);
            base = CAPABILITY.getOrDefault(method, "input") + "-" + CanonicalJson.sha256(content).substring(0, 12);
        }
        int n = seen.merge(base, 1, Integer::sum);
        return n == 1 ? base : base + "-" + n;
    }

    private ObjectNode invalid(JsonNode id, String why) {
        return errors.reply(id, JsonRpc.INVALID_PARAMS, why);
    }

    /** Parked calls whose client never came back are cancelled upstream. */
    @Scheduled(fixedDelay = 30_000)
    public void expire() {
        Instant now = Instant.now();
        parked.values().removeIf(f -> {
            if (f.parkedUntil.isBefore(now) && f.lock.tryLock()) {
                try {
                    f.handle.cancel("the client did not answer the input request in time");
                    return true;
                } finally {
                    f.lock.unlock();
                }
            }
            return false;
        });
    }

    /** Parked calls (for tests and metrics). */
    public int parkedCount() {
        return parked.size();
    }

    @Override
    public void destroy() {
        parked.values().forEach(f -> f.handle.cancel("shutting down"));
        parked.clear();
    }

    /** The call ended: its response (null: cancelled), or the caller's credential turned out unusable. */
    private record Done(ObjectNode response, CredentialUnusableException unusable) {
    }

    /** A server request the client has to answer. */
    private record Asked(UpstreamSession from, JsonNode upstreamId, String method, ObjectNode params, String key) {
    }

    /** One upstream call in flight for a stateless client, across its rounds. */
    private static final class BridgedCall implements MessageSink {
        final String id;
        final String connectionId;
        final String binding;
        final ObjectNode answers;
        final CallHandle handle;
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final Map<String, Asked> outstanding = new LinkedHashMap<>();
        final Map<String, Integer> seen = new ConcurrentHashMap<>();
        final Set<String> refused = new TreeSet<>();
        final ReentrantLock lock = new ReentrantLock();
        /** Input requests asked and not yet answered, bounded by {@code maxAsks}. */
        final java.util.concurrent.atomic.AtomicInteger asks = new java.util.concurrent.atomic.AtomicInteger();
        final int maxAsks;
        volatile Consumer<ObjectNode> interim = m -> { };
        volatile RelayScreen screen = RelayScreen.NONE;
        volatile String serverId;
        volatile ObjectNode capabilities = Json.object();
        volatile boolean inputAllowed;
        volatile Instant parkedUntil = Instant.MAX;
        int round;

        BridgedCall(String id, String connectionId, String binding, ObjectNode answers, CallHandle handle, int maxAsks) {
            this.maxAsks = maxAsks;
            this.id = id;
            this.connectionId = connectionId;
            this.binding = binding;
            this.answers = answers;
            this.handle = handle;
        }

        /** Each round is a new HTTP request, with its own stream and its own declared capabilities. */
        void prepare(Call call, Consumer<ObjectNode> interim) {
            this.interim = interim;
            this.screen = call.screen();
            this.serverId = call.serverId();
            this.capabilities = call.clientCapabilities();
            this.inputAllowed = call.inputAllowed();
        }

        @Override
        public void deliver(UpstreamSession from, ObjectNode message) {
            if (!JsonRpc.isRequest(message)) {
                ObjectNode screened = screen.screen(RelayScreen.Flow.NOTIFICATION_TO_CLIENT, serverId, message);
                if (screened != null) {
                    interim.accept(screened);
                }
                return;
            }
            String method = JsonRpc.method(message);
            JsonNode upstreamId = message.get("id");
            if ("ping".equals(method)) {
                from.send(JsonRpc.result(upstreamId, Json.object()));
                return;
            }
            String capability = CAPABILITY.get(method);
            if (capability == null) {
                from.send(JsonRpc.error(upstreamId, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method));
                return;
            }
            if (!capabilities.has(capability) || !inputAllowed) {
                synchronized (refused) {
                    if (inputAllowed) {
                        refused.add(capability);
                    }
                }
                from.send(JsonRpc.error(upstreamId, JsonRpc.METHOD_NOT_FOUND, inputAllowed
                        ? "the client did not declare the " + capability + " capability for this request"
                        : "the client cannot be asked for input during this request"));
                return;
            }
            ObjectNode params = message.get("params") instanceof ObjectNode p ? p.deepCopy() : Json.object();
            String key = keyFor(method, params, seen);
            if (params.get("_meta") instanceof ObjectNode meta) {
                meta.remove(KEY_HINT);
                if (meta.isEmpty()) {
                    params.remove("_meta");
                }
            }
            JsonNode answer;
            synchronized (answers) {
                answer = answers.get(key);
            }
            if (answer != null) {
                from.send(JsonRpc.result(upstreamId, answer)); // answered in an earlier round, or given up front
                return;
            }
            ObjectNode asked = Json.object();
            asked.put("method", method);
            asked.set("params", params);
            ObjectNode screened = screen.screen(RelayScreen.Flow.INPUT_REQUEST, serverId, asked);
            if (screened == null || JsonRpc.isResponse(screened)) {
                ObjectNode refusal = screened != null ? screened
                        : JsonRpc.error(upstreamId, JsonRpc.INTERNAL_ERROR, "withheld by the gateway");
                refusal.set("id", upstreamId);
                from.send(refusal);
                return;
            }
            if (asks.incrementAndGet() > maxAsks) {
                asks.decrementAndGet();
                from.send(JsonRpc.error(upstreamId, JsonRpc.LIMIT_REACHED, "the client already has " + maxAsks
                        + " unanswered input requests from this call (" + SessionLimits.setting("client-requests-per-session") + ")"));
                return;
            }
            events.add(new Asked(from, upstreamId, JsonRpc.method(screened) == null ? method : JsonRpc.method(screened),
                    screened.get("params") instanceof ObjectNode p ? p : params, key));
        }
    }
}
