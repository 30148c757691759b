package gatehouse.gateway.session;

import java.time.Duration;
import java.time.Instant;

import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.upstream.MessageSink;
import gatehouse.identity.UpstreamCredentials;
import gatehouse.gateway.upstream.UpstreamException;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.gateway.upstream.Upstreams;
import tools.jackson.databind.node.ObjectNode;

/**
 * A downstream session's place for one upstream: opened lazily, re-opened when it died, and
 * failing fast (with the reason) while an unreachable upstream is in its backoff window.
 */
final class UpstreamSlot {
    private final ServerDef server;
    private UpstreamSession session;
    private Instant retryAt = Instant.MIN;
    private String lastError;
    private int failures;

    UpstreamSlot(ServerDef server) {
        this.server = server;
    }

    ServerDef server() {
        return server;
    }

    /**
     * The session, on the credential of {@code connectionId} for this server. A personal server
     * without a usable credential refuses here, before any upstream traffic, with what the person
     * should do; the session itself reads the credential again at each request, so a refreshed
     * token is picked up and a revoked one stops at the next call.
     */
    synchronized UpstreamSession get(Upstreams upstreams, ObjectNode clientInit, boolean sessionClient, MessageSink listener,
                                     String connectionId, String gatewayId) {
        UpstreamCredentials credentials = upstreams.credentials();
        requireIdentity(upstreams, server, connectionId, gatewayId);
        if (session != null && session.isAlive()) {
            return session;
        }
        if (session != null) {
            release(listener);
        }
        Instant now = Instant.now();
        if (now.isBefore(retryAt)) {
            throw unavailable("retrying in " + Duration.between(now, retryAt).toMillis() + " ms");
        }
        try {
            UpstreamSession s = upstreams.connect(server, clientInit,
                    () -> UpstreamCredentials.bearerOf(credentials.present(connectionId, gatewayId, server)), sessionClient);
            s.addListener(listener);
            session = s;
            failures = 0;
            lastError = null;
            return s;
        } catch (UpstreamException e) {
            failures++;
            lastError = e.getMessage();
            retryAt = Instant.now().plusMillis(Math.min(30_000, 250L << Math.min(failures, 7)));
            throw unavailable("will retry after " + Duration.between(Instant.now(), retryAt).toMillis() + " ms");
        }
    }

    static void requireIdentity(Upstreams upstreams, ServerDef server, String connectionId, String gatewayId) {
        if (upstreams.credentials().present(connectionId, gatewayId, server) instanceof UpstreamCredentials.Unusable u) {
            throw new McpException(JsonRpc.UPSTREAM_ERROR, u.reason(),
                    gatehouse.platform.Json.object().put("identity", u.state()).put("server", server.name()));
        }
    }

    /** The session if it is open now; never connects. */
    synchronized UpstreamSession current() {
        return session != null && session.isAlive() ? session : null;
    }

    private McpException unavailable(String when) {
        return new McpException(JsonRpc.UPSTREAM_ERROR, "Upstream server '" + server.name() + "' is unavailable: "
                + (lastError == null ? "not connected" : lastError) + " (" + when + ")");
    }

    synchronized void release(MessageSink listener) {
        if (session != null) {
            session.removeListener(listener);
            if (!Upstreams.shared(server)) {
                session.close();
            }
            session = null;
        }
    }
}
