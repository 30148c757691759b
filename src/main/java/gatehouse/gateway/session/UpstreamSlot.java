package gatehouse.gateway.session;

import java.time.Duration;
import java.time.Instant;

import gatehouse.catalog.ServerDef;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.upstream.MessageSink;
import gatehouse.gateway.upstream.ResumeState;
import gatehouse.identity.UpstreamCredentials;
import gatehouse.gateway.upstream.CredentialSource;
import gatehouse.gateway.upstream.CredentialUnusableException;
import gatehouse.gateway.upstream.UpstreamException;
import gatehouse.gateway.upstream.UpstreamUnauthorizedException;
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
    /** The upstream session another replica made for this client, used (once) instead of a handshake. */
    private ResumeState resume;

    UpstreamSlot(ServerDef server) {
        this(server, null);
    }

    UpstreamSlot(ServerDef server, ResumeState resume) {
        this.server = server;
        this.resume = resume;
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
        CredentialSource source = credentialSource(upstreams, server, connectionId, gatewayId);
        ResumeState carried = resume;
        resume = null;
        UpstreamSession resumed = carried != null && sessionClient ? upstreams.resume(server, clientInit, source, carried) : null;
        if (resumed != null) {
            resumed.addListener(listener);
            session = resumed;
            return resumed;
        }
        try {
            UpstreamSession s;
            java.util.Map.Entry<String, String> presented = source.header();
            try {
                s = upstreams.connect(server, clientInit, source, sessionClient);
            } catch (UpstreamUnauthorizedException refused) {
                // A refused credential is not an outage: renew it once, or say whose it was; never back off.
                RuntimeException verdict = source.rejected(presented == null ? null : presented.getValue());
                if (verdict != null) {
                    throw verdict;
                }
                try {
                    s = upstreams.connect(server, clientInit, source, sessionClient);
                } catch (UpstreamUnauthorizedException again) {
                    java.util.Map.Entry<String, String> renewed = source.header();
                    RuntimeException last = source.rejected(renewed == null ? null : renewed.getValue());
                    throw last != null ? last : again;
                }
            }
            s.addListener(listener);
            session = s;
            failures = 0;
            lastError = null;
            return s;
        } catch (UpstreamUnauthorizedException e) {
            throw e;
        } catch (UpstreamException e) {
            failures++;
            lastError = e.getMessage();
            retryAt = Instant.now().plusMillis(Math.min(30_000, 250L << Math.min(failures, 7)));
            throw unavailable("will retry after " + Duration.between(Instant.now(), retryAt).toMillis() + " ms");
        }
    }

    /**
     * The connection's credential for this server, asked at each request, and what a 401 becomes:
     * a renewed credential to retry with, or the person's error saying whose credential failed and
     * where to renew it.
     */
    static CredentialSource credentialSource(Upstreams upstreams, ServerDef server, String connectionId, String gatewayId) {
        UpstreamCredentials credentials = upstreams.credentials();
        return Upstreams.presenting(server.name(), () -> credentials.present(connectionId, gatewayId, server), presented ->
                switch (credentials.rejected(connectionId, gatewayId, server, presented)) {
                    case UpstreamCredentials.Bearer b -> null;
                    case UpstreamCredentials.KeyHeader k -> null;
                    case UpstreamCredentials.Unusable u -> unusable(server, u);
                    case UpstreamCredentials.None n -> new McpException(JsonRpc.UPSTREAM_ERROR, "Upstream server '" + server.name()
                            + "' refused the credentials configured for it in Gatehouse (HTTP 401); an administrator must check its headers.");
                });
    }

    static CredentialUnusableException unusable(ServerDef server, UpstreamCredentials.Unusable u) {
        return new CredentialUnusableException(server.id(), server.name(), u.state(), u.reason(), u.renewUrl());
    }

    static void requireIdentity(Upstreams upstreams, ServerDef server, String connectionId, String gatewayId) {
        if (upstreams.credentials().present(connectionId, gatewayId, server) instanceof UpstreamCredentials.Unusable u) {
            throw unusable(server, u);
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
        release(listener, false);
    }

    /** As {@link #release(MessageSink)}; {@code leave}: the upstream session is kept for another replica to carry on. */
    synchronized void release(MessageSink listener, boolean leave) {
        if (session != null) {
            session.removeListener(listener);
            if (!Upstreams.shared(server)) {
                if (leave) {
                    session.leave();
                } else {
                    session.close();
                }
            }
            session = null;
        }
    }

    /** What another replica needs to carry on this slot's upstream session: the live one's, else the one not used yet. */
    synchronized ResumeState resumeState() {
        return session != null && session.isAlive() ? session.resumeState() : resume;
    }
}
