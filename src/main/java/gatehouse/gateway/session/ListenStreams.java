package gatehouse.gateway.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.EventStream;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.protocol.RelayScreen;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code subscriptions/listen}, the stateless replacement of the GET stream, served on the
 * connection's stand-in session: the request's own response stream stays open; the first event
 * acknowledges the filter Gatehouse honours, then list changes (from upstreams and from the
 * gateway's configuration) and updates of the subscribed resources follow, each tagged with the
 * subscription's id and shown to the steps. Which resources may be subscribed to is decided by the
 * caller (routing and the steps), so this package knows neither.
 */
@Component
public class ListenStreams {
    private static final Logger log = LoggerFactory.getLogger(ListenStreams.class);
    private static final List<String> LIST_FLAGS = List.of("toolsListChanged", "promptsListChanged", "resourcesListChanged");

    /** A resource the client named, routed and admitted: its server and the URI the server knows it by. */
    public record Target(ServerDef server, String upstreamUri) {
    }

    private final StatelessSessions stateless;
    private final Upstreams upstreams;
    private final BoundAlerts bounds;
    private final int maxPerConnection;

    public ListenStreams(StatelessSessions stateless, Upstreams upstreams, BoundAlerts bounds,
                         @org.springframework.beans.factory.annotation.Value("${gatehouse.mcp.max-listen-streams-per-connection:10}")
                         int maxPerConnection) {
        this.stateless = stateless;
        this.upstreams = upstreams;
        this.bounds = bounds;
        this.maxPerConnection = Math.max(1, maxPerConnection);
    }

    /**
     * Serves one listen request until the client leaves, the connection is disabled or the stand-in
     * closes; returns the result that ends the subscription gracefully, or null when no stream could
     * be opened (the client is gone).
     *
     * @param request    the {@code subscriptions/listen} request (its id is the subscription's)
     * @param admit      the target of a URI the client asks to subscribe to, or null when it may not
     *                   (unknown, hidden, refused by a step)
     * @param openStream opens the request's event stream
     * @param screen     the steps' relay hook, shown every event
     * @param authorized whether the caller is still allowed to listen (asked every second: a stream
     *                   ends when its token expires or is revoked, or the person loses the gateway)
     */
    public ObjectNode serve(DownstreamSession session, ObjectNode request, Function<String, Target> admit,
                            Supplier<EventStream> openStream, RelayScreen screen, BooleanSupplier authorized) {
        JsonNode subscriptionId = request.get("id");
        // Each open stream holds a thread, a socket and upstream subscriptions: one token may not
        // hold an unbounded number (the rate limit counts requests, not how long they stay open).
        int open = stateless.listenerCount(session.connectionId());
        if (open >= maxPerConnection) {
            bounds.reached("gatehouse.mcp.max-listen-streams-per-connection", maxPerConnection, session.connectionId(),
                    session.gatewayId(), "Connection " + session.connectionId() + " tried to open more than " + maxPerConnection
                            + " subscriptions/listen streams; further ones are refused until it closes some");
            throw new McpException(JsonRpc.INVALID_REQUEST, "This connection already holds " + open
                    + " open subscriptions/listen streams (the limit); close one before opening another");
        }
        JsonNode requested = request.path("params").get("notifications");
        if (!(requested instanceof ObjectNode filter)) {
            throw new McpException(JsonRpc.INVALID_PARAMS, "params.notifications is required: the notification types this stream opts in to");
        }
        ObjectNode honoured = Json.object();
        for (String flag : LIST_FLAGS) {
            if (filter.path(flag).asBoolean(false)) {
                honoured.put(flag, true);
            }
        }
        List<Target> subscribed = new ArrayList<>();
        if (filter.get("resourceSubscriptions") instanceof ArrayNode uris) {
            ArrayNode ok = Json.array();
            for (JsonNode u : uris) {
                String uri = u.asString(null);
                Target target = uri == null ? null : subscribe(session, uri, admit);
                if (target != null) {
                    ok.add(uri);
                    subscribed.add(target);
                }
            }
            if (!ok.isEmpty()) {
                honoured.set("resourceSubscriptions", ok);
            }
        }
        EventStream stream = openStream.get();
        if (stream == null) {
            return null;
        }
        StatelessSessions.Listener listener = listener(honoured, subscriptionId, stream, screen);
        ObjectNode ackParams = Json.object();
        ackParams.set("notifications", honoured);
        listener.send(JsonRpc.notification("notifications/subscriptions/acknowledged", ackParams));
        if (!honoured.isEmpty()) {
            keepOpen(session, listener, stream, authorized);
        }
        for (Target t : subscribed) {
            unsubscribeIfLast(session, t);
        }
        // Ends gracefully: a result tells the client the subscription is over (not a broken stream).
        ObjectNode end = Json.object();
        end.putObject("_meta").set(StatelessEnvelope.SUBSCRIPTION_ID, subscriptionId);
        return JsonRpc.result(subscriptionId, end);
    }

    /** Subscribes upstream to {@code uri} when it is admitted and its server supports subscriptions; null otherwise. */
    private Target subscribe(DownstreamSession session, String uri, Function<String, Target> admit) {
        try {
            Target target = admit.apply(uri);
            if (target == null) {
                return null;
            }
            UpstreamSession up = session.upstream(target.server());
            if (!up.initializeResult().path("capabilities").path("resources").path("subscribe").asBoolean(false)) {
                return null;
            }
            ObjectNode p = Json.object();
            p.put("uri", target.upstreamUri());
            ObjectNode answer = up.call(JsonRpc.request(0L, "resources/subscribe", p), upstreams.callTimeout(), null, null);
            if (answer != null && answer.has("result")) {
                up.subscribed(target.upstreamUri(), session); // a shared upstream sends updates to subscribers only
                return target;
            }
        } catch (RuntimeException e) {
            log.debug("listen: cannot subscribe to {}: {}", uri, e.getMessage());
        }
        return null;
    }

    private static StatelessSessions.Listener listener(ObjectNode honoured, JsonNode subscriptionId, EventStream stream,
                                                       RelayScreen screen) {
        return new StatelessSessions.Listener() {
            @Override
            public ObjectNode filter() {
                return honoured;
            }

            @Override
            public boolean send(ObjectNode notification) {
                ObjectNode event = screen.screen(RelayScreen.Flow.STREAM_EVENT, null, notification);
                if (event == null) {
                    return true;
                }
                ObjectNode params = event.get("params") instanceof ObjectNode p ? p : event.putObject("params");
                ObjectNode meta = params.get("_meta") instanceof ObjectNode m ? m : params.putObject("_meta");
                meta.set(StatelessEnvelope.SUBSCRIPTION_ID, subscriptionId);
                try {
                    stream.event(null, Json.bytes(event));
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }
        };
    }

    /** Holds the request (and its stream) open while the listener is registered, with a keep-alive comment now and then. */
    private void keepOpen(DownstreamSession session, StatelessSessions.Listener listener, EventStream stream,
                          BooleanSupplier authorized) {
        stateless.addListener(session.connectionId(), listener);
        int tick = 0;
        try {
            while (stateless.listening(session.connectionId(), listener) && !session.closed() && authorized.getAsBoolean()) {
                Thread.sleep(1_000);
                if (++tick % 15 == 0) {
                    stream.comment("keep-alive");
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away (or shutdown): end the subscription
        } finally {
            stateless.removeListener(session.connectionId(), listener);
        }
    }

    /** Ends the upstream subscription unless another listen stream of the connection still wants it. */
    private void unsubscribeIfLast(DownstreamSession session, Target t) {
        if (stateless.subscribed(session.connectionId(), t.upstreamUri())) {
            return;
        }
        try {
            ObjectNode p = Json.object();
            p.put("uri", t.upstreamUri());
            UpstreamSession up = session.upstream(t.server());
            up.unsubscribed(t.upstreamUri(), session);
            up.call(JsonRpc.request(0L, "resources/unsubscribe", p), upstreams.callTimeout(), null, null);
        } catch (RuntimeException e) {
            log.debug("listen: unsubscribe from {} failed: {}", t.upstreamUri(), e.getMessage());
        }
    }
}
