package gatehouse.gateway.upstream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.gateway.protocol.JsonRpc;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where what an upstream sends on its own (server requests, notifications) goes: to the call whose
 * stream carried it, else to the session's listeners; on a process many clients share, only where
 * it cannot reach the wrong person. Resource updates on a shared process go to their subscribers.
 */
final class InboundRouter {
    private static final Logger log = LoggerFactory.getLogger(InboundRouter.class);

    private final UpstreamSession session;
    private final List<MessageSink> listeners = new CopyOnWriteArrayList<>();
    /** Who subscribed to which resource URI, so a shared process's updates reach only them. */
    private final Map<String, List<MessageSink>> subscribers = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listChangeObservers = new CopyOnWriteArrayList<>();

    InboundRouter(UpstreamSession session) {
        this.session = session;
    }

    void addListener(MessageSink sink) {
        listeners.add(sink);
    }

    void removeListener(MessageSink sink) {
        listeners.remove(sink);
        subscribers.values().forEach(l -> l.remove(sink));
    }

    void subscribed(String uri, MessageSink sink) {
        List<MessageSink> sinks = subscribers.computeIfAbsent(uri, k -> new CopyOnWriteArrayList<>());
        if (!sinks.contains(sink)) {
            sinks.add(sink);
        }
    }

    void unsubscribed(String uri, MessageSink sink) {
        List<MessageSink> sinks = subscribers.get(uri);
        if (sinks != null) {
            sinks.remove(sink);
        }
    }

    void onListChanged(Consumer<String> observer) {
        listChangeObservers.add(observer);
    }

    /** Tells the observers that the upstream's {@code kind} list changed. */
    void listChanged(String kind) {
        for (Consumer<String> o : listChangeObservers) {
            o.accept(kind);
        }
    }

    /**
     * Routes a request or notification (not a response, not a progress notification of a call).
     * {@code context}: the call whose stream carried it, if known.
     */
    void route(ObjectNode message, String method, PendingCall context, PendingCalls calls, boolean shared) {
        if (context == null && shared) {
            routeShared(message, method, calls);
            return;
        }
        PendingCall target = context;
        if (target == null && JsonRpc.isRequest(message)) {
            // Over legacy SSE nothing ties a server request to the call that caused it; every call
            // of this session is the same client's, so the call started last is a safe choice.
            target = calls.latestInFlight();
        }
        if (target != null && !target.done() && target.related != null) {
            target.related.deliver(session, message);
            return;
        }
        if (listeners.isEmpty()) {
            if (JsonRpc.isRequest(message)) {
                session.send(JsonRpc.error(message.get("id"), JsonRpc.METHOD_NOT_FOUND, "no client is connected to answer " + method));
            }
            return;
        }
        if (JsonRpc.isRequest(message)) {
            listeners.getFirst().deliver(session, message);
        } else {
            for (MessageSink l : listeners) {
                l.deliver(session, message.deepCopy());
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
    private void routeShared(ObjectNode message, String method, PendingCalls calls) {
        if (method.endsWith("/list_changed")) {
            for (MessageSink l : listeners) {
                l.deliver(session, message.deepCopy());
            }
            return;
        }
        if ("notifications/resources/updated".equals(method)) {
            List<MessageSink> sinks = subscribers.getOrDefault(message.path("params").path("uri").asString(""), List.of());
            for (MessageSink l : sinks) {
                l.deliver(session, message.deepCopy());
            }
            return;
        }
        List<PendingCall> inFlight = calls.inFlightWithCaller();
        if (inFlight.size() == 1) {
            inFlight.getFirst().related.deliver(session, message);
            return;
        }
        if (JsonRpc.isRequest(message)) {
            session.send(JsonRpc.error(message.get("id"), JsonRpc.INTERNAL_ERROR, "Gatehouse cannot tell which client should answer "
                    + method + ": " + inFlight.size() + " calls are in flight on this shared server"));
        } else {
            log.debug("upstream {}: {} outside a call dropped ({} calls in flight)", session.server().name(), method, inFlight.size());
        }
    }
}
