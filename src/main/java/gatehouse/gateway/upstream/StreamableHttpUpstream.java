package gatehouse.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RawResults;
import gatehouse.platform.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** An upstream reached over Streamable HTTP (protocol 2025-03-26 and later). */
final class StreamableHttpUpstream extends UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(StreamableHttpUpstream.class);

    private final HttpExchange io;
    private volatile String sessionId;
    private volatile String protocolVersion;

    StreamableHttpUpstream(HttpUpstreamConfig config) {
        super(config.server());
        this.io = new HttpExchange(config);
    }

    void open() {
        sessionId = null;
        handshake(io.config().clientInit(), io.config().connectTimeout());
        JsonNode v = initializeResult.get("protocolVersion");
        protocolVersion = v != null && v.isString() ? v.stringValue() : null;
        listen();
    }

    /**
     * Carries on a session another replica made (see {@link ResumeState}): no handshake; if the
     * upstream has forgotten it, the first request's 404 leads to a new one as for any lost session.
     */
    void resume(ResumeState state) {
        sessionId = state.sessionId();
        protocolVersion = state.protocolVersion();
        initializeResult = state.initializeResult().deepCopy();
        listen();
    }

    @Override
    public ResumeState resumeState() {
        String sid = sessionId;
        ObjectNode init = initializeResult;
        if (sid == null || init == null || io.closed()) {
            return null;
        }
        return new ResumeState(server.url(), sid, protocolVersion, init);
    }

    @Override
    public void leave() {
        if (io.close()) {
            closedAll("session with upstream '" + server.name() + "' left to another replica");
        }
    }

    /** Whether the server gave this client a session (Mcp-Session-Id) at initialize. */
    boolean keepsSession() {
        return sessionId != null;
    }

    @Override
    protected void recover() {
        io.stopListening();
        open();
    }

    @Override
    public boolean isAlive() {
        return !io.closed();
    }

    /** The session's headers for its requests (POSTs, the GET stream, the DELETE): its id and the negotiated version. */
    private List<String> sessionHeaders() {
        List<String> h = new ArrayList<>(4);
        String sid = sessionId;
        if (sid != null) {
            h.add("Mcp-Session-Id");
            h.add(sid);
        }
        String pv = protocolVersion;
        if (pv != null) {
            h.add("MCP-Protocol-Version");
            h.add(pv);
        }
        return h;
    }

    /**
     * POSTs the message on the caller's thread. A request's exchange runs until its answer is read
     * (or handed on); a cancel or the call's deadline ends it by closing its connection
     * ({@link PendingCall#abortTransport}). A notification or response waits at most the request
     * timeout for the response head; what the upstream sends back is read elsewhere.
     */
    @Override
    protected void transmit(ObjectNode message, PendingCall call) {
        if (io.closed()) {
            throw new SessionClosedException("session with upstream '" + server.name() + "' is closed");
        }
        MessageClient.Response resp = io.postMessage(Json.bytes(message), sessionHeaders(), call, io.config().requestTimeout());
        if (resp == null) {
            return; // cancelled
        }
        String sid = resp.header("Mcp-Session-Id");
        if (sid != null && sessionId == null) {
            sessionId = sid;
        }
        int status = resp.status();
        String contentType = resp.header("Content-Type");
        String type = contentType == null ? "" : contentType;
        if (call == null) {
            // A notification or a response: whatever the upstream sends back is read elsewhere, so
            // the sender (a client's answer, a cancel) never waits on the upstream's body.
            answerToNotification(resp, status, type);
            return;
        }
        InputStream in = resp.body();
        boolean streamed = false;
        try {
            if (status == 404 && sessionId != null) {
                throw new SessionLostException("upstream '" + server.name() + "' answered 404 for our session");
            }
            if (status == 401) {
                throw new UpstreamUnauthorizedException(server.name());
            }
            if (status == 202 || status == 204) {
                return;
            }
            if (type.startsWith("text/event-stream") && status == 200) {
                streamed = true; // the stream is readEvents' from here on
                io.readEvents(in, call, JsonRpc.method(message), true, m -> dispatch(m, call)); // results kept as bytes, as for JSON
                if (!call.done()) {
                    throw new UpstreamException("upstream '" + server.name() + "' closed its response stream before answering");
                }
                return;
            }
            byte[] bytes = io.readBody(in);
            if (status == 400 && sessionId != null && snippet(bytes).toLowerCase(Locale.ROOT).contains("session")) {
                // The spec says 404, but servers built on the TypeScript SDK's examples (server-everything
                // among them) answer 400 "No valid session ID provided" once a restart made them forget us.
                log.debug("upstream {} answered HTTP 400 for our session: {}", server.name(), snippet(bytes));
                throw new SessionLostException("upstream '" + server.name() + "' no longer knows our session (HTTP 400)");
            }
            if (type.contains("json") && bytes.length > 0) {
                JsonNode parsed = RawResults.read(bytes, JsonRpc.method(message)); // its result's bytes kept for the way out
                if (parsed instanceof ObjectNode m && (status < 400 || JsonRpc.isResponse(m))) {
                    dispatch(m, call);
                    return;
                }
                if (parsed.isArray() && status < 400) {
                    parsed.forEach(n -> {
                        if (n instanceof ObjectNode m) {
                            dispatch(m, call);
                        }
                    });
                    return;
                }
            }
            if (status >= 400) {
                // The body stays here: it may echo the request, headers or internals.
                log.debug("upstream {} answered HTTP {}: {}", server.name(), status, snippet(bytes));
                throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + status);
            }
        } catch (MessageTooLargeException e) {
            throw UpstreamIo.tooLarge(server.name(), io.config().maxMessageBytes());
        } catch (IOException e) {
            if (call.cancelled) {
                return;
            }
            throw new UpstreamException("upstream '" + server.name() + "' broke off the response: " + UpstreamIo.describe(e), e);
        } catch (JacksonException e) {
            log.debug("upstream {} sent malformed JSON: {}", server.name(), e.getOriginalMessage());
            throw new UpstreamException("upstream '" + server.name() + "' sent malformed JSON", e);
        } finally {
            if (!streamed) {
                HttpExchange.closeQuietly(in);
            }
        }
    }

    /** The upstream's answer to a notification or response: a stream is read on its own thread; an error is reported. */
    private void answerToNotification(MessageClient.Response resp, int status, String type) {
        InputStream in = resp.body();
        if (status >= 400 || status == 202 || status == 204) {
            HttpExchange.closeQuietly(in);
            if (status == 401) {
                throw new UpstreamUnauthorizedException(server.name());
            }
            if (status >= 400) {
                throw new UpstreamException("upstream '" + server.name() + "' answered HTTP " + status);
            }
            return;
        }
        Thread.ofVirtual().name("upstream-" + server.name()).start(() -> {
            try {
                if (type.startsWith("text/event-stream")) {
                    io.readEvents(in, null, true, m -> dispatch(m, null));
                } else {
                    try (in) {
                        io.readBody(in);
                    }
                }
            } catch (IOException | RuntimeException e) {
                HttpExchange.closeQuietly(in);
                log.debug("upstream {}: the answer to a notification broke off: {}", server.name(), e.getMessage());
            }
        });
    }

    /** The GET stream carries what the upstream sends outside any request. */
    private void listen() {
        io.listen(lastEventId -> {
            List<String> h = sessionHeaders();
            h.add("Accept");
            h.add("text/event-stream");
            if (lastEventId != null) {
                h.add("Last-Event-ID");
                h.add(lastEventId);
            }
            // read for as long as it lasts: the listener ends it by closing the body
            MessageClient.Response resp = io.send("GET", h, io.config().connectTimeout(), false, new MessageClient.Abort());
            if (resp.status() != 200) {
                resp.close();
                return null; // 405: this upstream has no standalone stream
            }
            return resp.body();
        }, m -> true, m -> dispatch(m, null));
    }

    @Override
    public void close() {
        if (!io.close()) {
            return;
        }
        closedAll("session with upstream '" + server.name() + "' closed");
        if (sessionId != null) {
            // Ending the session upstream is a courtesy, sent from a thread of its own: its headers
            // may need the credential looked up in the database, and a close must never wait for
            // that (a shutdown closes every session, possibly with the database already gone).
            Thread.ofVirtual().name("upstream-session-end").start(() -> {
                MessageClient.Abort abort = new MessageClient.Abort();
                // the whole exchange is bounded, however the server trickles its answer
                var bound = MessageClient.TIMER.schedule(abort::abort, 2 * io.config().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
                try (MessageClient.Response ended = io.send("DELETE", sessionHeaders(), io.config().connectTimeout(), true, abort)) {
                    ended.body().readNBytes(64 * 1024); // a short answer read to its end keeps the connection; a longer one closes it
                } catch (IOException | RuntimeException e) {
                    log.debug("could not end the session with upstream '{}': {}", server.name(), e.toString());
                } finally {
                    bound.cancel(false);
                }
            });
        }
    }

    private static String snippet(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8);
        return s.replaceAll("\\s+", " ");
    }
}
