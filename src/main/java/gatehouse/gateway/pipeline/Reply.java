package gatehouse.gateway.pipeline;

import java.io.IOException;

import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.gateway.transport.McpHttpResponse.EventStream;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * The answer to one POSTed request: plain JSON when nothing else has to be said first, switching
 * to an event stream the moment an interim message (progress, a server request) must go out.
 */
final class Reply {
    private final McpHttpResponse http;
    private EventStream stream;
    private boolean finished;
    private boolean broken;

    Reply(McpHttpResponse http) {
        this.http = http;
    }

    synchronized void interim(ObjectNode message) {
        if (finished || broken) {
            return;
        }
        try {
            if (stream == null) {
                stream = http.stream();
            }
            stream.event(null, Json.bytes(message));
        } catch (IOException e) {
            broken = true;
        }
    }

    synchronized void finish(ObjectNode response) {
        if (finished) {
            return;
        }
        finished = true;
        byte[] bytes = Json.bytes(response);
        if (stream == null) {
            http.json(200, bytes);
            return;
        }
        try {
            stream.event(null, bytes);
        } catch (IOException e) {
            broken = true;
        } finally {
            stream.close();
        }
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

    synchronized boolean streaming() {
        return stream != null;
    }
}
