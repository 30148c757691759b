package gatehouse.gateway.pipeline;

import org.springframework.stereotype.Component;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RawResults;
import gatehouse.platform.Json;
import gatehouse.gateway.protocol.StatelessEnvelope;
import gatehouse.gateway.routing.Route;
import gatehouse.gateway.upstream.CredentialUnusableException;
import gatehouse.gateway.upstream.OutgoingHeaders;
import gatehouse.gateway.session.DownstreamSession;
import gatehouse.gateway.session.SessionRegistry;
import gatehouse.gateway.transport.McpHandler;
import gatehouse.gateway.transport.McpHttpRequest;
import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.gateway.protocol.EventStream;
import gatehouse.gateway.transport.TransportGuard;
import tools.jackson.databind.node.ObjectNode;

/**
 * The data-plane pipeline, written once: what happens to every message, in order, and why there.
 * One {@link Exchange} is carried from the first check to completion; the policy steps
 * ({@link PipelineSteps}) see it at each hook; every failure becomes a wire answer in
 * {@link WireErrors}.
 */
@Component
@org.springframework.boot.context.properties.EnableConfigurationProperties(JsonLimits.class)
public class McpPipeline implements McpHandler {
    public static final String SESSION_HEADER = SessionGeneration.SESSION_HEADER;

    private final TransportGuard guard;
    private final CallerAuthentication callers;
    private final SessionGeneration sessionful;
    private final StatelessGeneration stateless;
    private final SessionRegistry sessions;
    private final StepRunner steps;
    private final WireErrors errors;
    private final JsonLimits jsonLimits;

    McpPipeline(TransportGuard guard, CallerAuthentication callers, SessionGeneration sessionful, StatelessGeneration stateless,
                SessionRegistry sessions, StepRunner steps, WireErrors errors, JsonLimits jsonLimits) {
        this.jsonLimits = jsonLimits;
        this.guard = guard;
        this.callers = callers;
        this.sessionful = sessionful;
        this.stateless = stateless;
        this.sessions = sessions;
        this.steps = steps;
        this.errors = errors;
    }

    @Override
    public void post(McpHttpRequest req, McpHttpResponse resp) {
        Exchange x = new Exchange(System.nanoTime());
        x.headers(req::header);
        PostAnswer reply = null;
        try {
            // Transport checks first, Origin before anything: a page on a hostile site must learn
            // nothing, not even whether a token it guessed is valid.
            guard.checkOrigin(req);
            guard.checkPost(req);
            // Authenticate from the headers, before the body is read: an anonymous caller cannot
            // make the gateway read, buffer or parse anything.
            x.caller(callers.authenticate(req, x));
            // Read and parse once; the tree is what every later step reads and what is forwarded.
            ObjectNode msg = JsonMessages.parse(req.body(), jsonLimits);
            x.request(msg);
            x.method(JsonRpc.method(msg));
            x.correlationId(msg.has("id") ? msg.get("id").asString() : null);
            // The message decides its protocol generation, once; the revision's own checks follow.
            x.strategy(generation(req, msg));
            x.strategy().preflight(req, x);
            // The session it runs on; the handshake, answers and notifications end here.
            DownstreamSession session = x.strategy().session(req, resp, x);
            if (session == null) {
                return;
            }
            x.kind("request");
            reply = x.strategy().reply(resp, x);
            respond(x, session, reply);
        } catch (RuntimeException e) {
            errors.answer(x, e, resp, reply);
        } finally {
            // Completion: telemetry and the audit record see every message, answered or refused.
            steps.complete(x);
            RawResults.take(); // no answer's bytes stay on a pooled request thread after its exchange
        }
    }

    /** A client request on its session: steps, routing (once), the upstream, steps, the reply. */
    private void respond(Exchange x, DownstreamSession session, PostAnswer reply) {
        ObjectNode response;
        boolean counted = false;
        try {
            // Before routing, a step can refuse without revealing whether the target exists (or ask the person first).
            x.prompt(x.strategy().prompt(x, session, reply));
            steps.beforeRouting(x);
            MethodHandler handler = x.strategy().handler(x.method());
            Attempt attempt = new Attempt(x, session, handler, reply);
            try {
                response = attempt.run();
            } catch (CredentialUnusableException unusable) {
                // The caller's credential for the server turned out missing or was just refused upstream:
                // a step may get it renewed (the consent step asks the person), then the request goes once more.
                if (!steps.credentialUnusable(x, unusable)) {
                    throw unusable;
                }
                response = attempt.run();
            }
            counted = handler.counted();
        } catch (ClientPrompt.InputRequired asked) {
            // A step asks a stateless client: the request is answered with the question; its retry brings the answer.
            ObjectNode result = Json.object();
            result.put("resultType", "input_required");
            result.set("inputRequests", asked.inputRequests());
            response = JsonRpc.result(x.request().get("id"), result);
            x.status("input-required");
        } catch (RuntimeException e) {
            response = errors.response(x, e);
        }
        if (response == null) {
            reply.abandon(); // the client cancelled the request
            x.status("cancelled");
            return;
        }
        x.response(response);
        // The answer as the client will get it, whether an upstream or the gateway made it.
        steps.afterUpstream(x);
        errors.outcome(x, counted);
        errors.finish(x, reply);
    }

    /** Routing (once it succeeded, never again: it rewrote the request) and the upstream call, repeatable once. */
    private final class Attempt {
        private final Exchange x;
        private final DownstreamSession session;
        private final MethodHandler handler;
        private final PostAnswer reply;
        private boolean routed;
        private boolean vetted;
        private Route route;

        Attempt(Exchange x, DownstreamSession session, MethodHandler handler, PostAnswer reply) {
            this.x = x;
            this.session = session;
            this.handler = handler;
            this.reply = reply;
        }

        ObjectNode run() {
            if (!routed) {
                route = handler.route(x, session);
                routed = true;
                if (route != null) {
                    x.route(route);
                    x.callersList(session::list);
                }
            }
            if (route != null && !vetted) {
                // The request as the upstream will get it: access, exposure, headers, content rules. Again
                // on the second attempt if a step stopped for the caller's credential, so none is skipped.
                steps.beforeUpstream(x);
                vetted = true;
            }
            // headers the steps want on the upstream's HTTP requests (trace context) travel with the call
            return OutgoingHeaders.with(x.upstreamHeaders(), () -> handler.invoke(x, session, reply));
        }
    }

    private Generation generation(McpHttpRequest req, ObjectNode msg) {
        return switch (StatelessEnvelope.classify(StatelessGeneration.headers(req), msg)) {
            case StatelessEnvelope.Refused r -> throw new RefusedRequest(r.status(), r.code(), r.message(), r.data());
            case StatelessEnvelope.Stateless s -> stateless;
            case StatelessEnvelope.Sessionful s -> sessionful;
        };
    }

    /** GET opens the session's standalone stream for server-initiated messages. */
    @Override
    public void get(McpHttpRequest req, McpHttpResponse resp) {
        Exchange x = new Exchange(System.nanoTime());
        x.headers(req::header);
        x.method("GET");
        try {
            guard.checkOrigin(req);
            guard.checkGet(req);
            x.caller(callers.authenticate(req, x));
            x.strategy(sessionful);
            DownstreamSession session = sessionful.find(req, x);
            resp.header(SESSION_HEADER, session.id());
            x.kind("stream");
            EventStream stream = resp.stream();
            session.attachStream(stream, req.header("Last-Event-ID"));
            // The request thread (virtual) holds the stream open; it wakes to send keep-alives and to
            // notice a closed session or a credential that no longer admits the caller (expired,
            // revoked or rotated token, disabled connection, a person who lost the gateway).
            int tick = 0;
            while (session.streamAttached(stream) && x.stillAuthorized()
                    && (++tick % 15 != 0 || session.keepAlive(stream))) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    break;
                }
            }
            session.detachStream(stream);
            stream.close();
            x.status("ok");
        } catch (RuntimeException e) {
            errors.answer(x, e, resp, null);
        } finally {
            steps.complete(x);
        }
    }

    /** DELETE ends a session. */
    @Override
    public void delete(McpHttpRequest req, McpHttpResponse resp) {
        Exchange x = new Exchange(System.nanoTime());
        x.headers(req::header);
        x.method("DELETE");
        try {
            guard.checkOrigin(req);
            x.caller(callers.authenticate(req, x));
            x.strategy(sessionful);
            DownstreamSession session = sessionful.find(req, x);
            x.kind("session-end");
            sessions.terminate(session.id());
            resp.empty(204);
            x.status("ok");
        } catch (RuntimeException e) {
            errors.answer(x, e, resp, null);
        } finally {
            steps.complete(x);
        }
    }
}
