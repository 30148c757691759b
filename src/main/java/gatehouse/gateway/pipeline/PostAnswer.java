package gatehouse.gateway.pipeline;

import java.io.IOException;

import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.gateway.protocol.EventStream;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RawResults;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * The answer to one POSTed request: plain JSON when nothing else has to be said first, switching
 * to an event stream the moment an interim message (progress, a server request) must go out.
 */
final class PostAnswer {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PostAnswer.class);
    private final McpHttpResponse http;
    private final AnswerShape shape;
    private EventStream stream;
    private boolean finished;
    private boolean broken;

    PostAnswer(McpHttpResponse http) {
        this(http, AnswerShape.AS_IS);
    }

    PostAnswer(McpHttpResponse http, AnswerShape shape) {
        this.http = http;
        this.shape = shape;
    }

    synchronized void interim(ObjectNode message) {
        deliver(message);
    }

    /**
     * As {@link #interim}, saying whether the message went out: false when the answer has ended,
     * its stream broke (the client went away) or the shape withholds it. A request the gateway
     * asks the client must know, or it would wait for an answer to a question never sent.
     */
    synchronized boolean deliver(ObjectNode message) {
        if (finished || broken || !shape.interim(message)) {
            return false;
        }
        try {
            if (stream == null) {
                stream = http.stream();
            }
            stream.event(null, Json.bytes(message));
            return true;
        } catch (IOException | RuntimeException e) {
            broken = true;
            log.debug("a message for the client could not go out on its request's answer stream", e);
            return false;
        }
    }

    /** A header for a final answer that has not started yet (ignored once an event stream is open). */
    synchronized void header(String name, String value) {
        if (stream == null && !finished) {
            http.header(name, value);
        }
    }

    synchronized void finish(ObjectNode response) {
        finish(response, -1);
    }

    /**
     * Finishes with an explicit HTTP status (used when it goes out as plain JSON): the stateless
     * revision answers the gateway's own refusals with 4xx, while errors relayed from an upstream
     * stay in-band with 200. {@code -1} lets the shape decide.
     */
    synchronized void finish(ObjectNode response, int status) {
        finish(response, status, null);
    }

    /**
     * The same; {@code raw}, when the response still holds its result node, gives that result's
     * bytes, copied instead of serialized again. Only for answers that go out as they are: a shape
     * that changes results in place would make the bytes stale.
     */
    synchronized void finish(ObjectNode response, int status, RawResults.Raw raw) {
        finish(response, status, raw, false);
    }

    /**
     * The same; {@code finishedAlready}: {@code raw} is a result this answer's kind of shape finished when it
     * was made (a shared list, see {@link #shape}), so it goes out as its text when the shape would
     * change nothing in the response. Never for bytes an upstream wrote: a step may have changed
     * that result in place (a stateless answer asking for input has its requests screened and its
     * state sealed), and only a shape of {@link AnswerShape#AS_IS} relays those.
     */
    synchronized void finish(ObjectNode response, int status, RawResults.Raw raw, boolean finishedAlready) {
        if (finished) {
            return;
        }
        finished = true;
        // a response the shape would not change goes out untouched: its result may be shared (ListAnswers)
        boolean asIs = shape == AnswerShape.AS_IS || (finishedAlready && raw != null && shape.leavesAlone(response));
        if (!asIs && finishedAlready && raw != null && response.get("result") == raw.result()) {
            response = response.deepCopy(); // a shared result this request's shape would change: changed on a copy
        }
        ObjectNode shaped = asIs ? response : shape.finish(response);
        RawResults.Parts parts;
        try {
            parts = asIs ? RawResults.parts(shaped, raw) : null;
        } catch (IllegalStateException summaryCopied) {
            // a step replaced a result it was told it could not read (Step.readsResults): nothing partial goes out
            parts = null;
            shaped = JsonRpc.error(shaped.get("id"), JsonRpc.INTERNAL_ERROR, "the answer could not be relayed");
        }
        if (stream == null) {
            if (parts != null) {
                http.json(status > 0 ? status : shape.status(shaped), parts.length(), parts::writeTo); // the result's bytes written as they are
            } else {
                http.json(status > 0 ? status : shape.status(shaped), shaped);
            }
            return;
        }
        try {
            stream.last(parts != null ? parts.toArray() : Json.bytes(shaped)); // sent when the handler returns, after the exchange completes
        } catch (IOException e) {
            broken = true;
            stream.close();
        }
    }

    /**
     * Shapes {@code result} in place as {@link #finish} would shape it in a response, before it is
     * shared: a response holding it is then left alone ({@link AnswerShape#leavesAlone}).
     */
    void shape(ObjectNode result) {
        shape.finish(JsonRpc.result(null, result));
    }

    /** Ends without a response (the client cancelled the request). */
    synchronized void abandon() {
        if (finished) {
            return;
        }
        finished = true;
        if (stream == null) {
            http.empty(204);
        } else {
            stream.close();
        }
    }

    /** Switches to an event stream now (a subscriptions/listen stream that stays open); null if the client is gone. */
    synchronized EventStream openStream() {
        if (stream == null && !finished) {
            stream = http.stream();
        }
        return stream;
    }

    synchronized boolean finished() {
        return finished;
    }
}
