package gatehouse.gateway.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.gateway.routing.Route;
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
    private final Caller caller;
    private final Generation generation;
    private final String method;
    private final List<Decision> decisions = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Object> attributes = new HashMap<>();
    private volatile String sessionId;
    private volatile ObjectNode request;
    private volatile Route route;
    private volatile ObjectNode response;
    private volatile long upstreamNanos;
    private volatile String status;

    public Exchange(long startedNanos, Caller caller, Generation generation, String method, ObjectNode request) {
        this.startedNanos = startedNanos;
        this.caller = caller;
        this.generation = generation;
        this.method = method;
        this.request = request;
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

    /** The final JSON-RPC response; null until there is one. */
    public ObjectNode response() {
        return response;
    }

    public void response(ObjectNode message) {
        this.response = message;
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

    /** Per-exchange state a step keeps between its hooks (a span, a start time), by the step's own key. */
    @SuppressWarnings("unchecked")
    public synchronized <T> T attribute(String key) {
        return (T) attributes.get(key);
    }

    public synchronized void attribute(String key, Object value) {
        attributes.put(key, value);
    }
}
