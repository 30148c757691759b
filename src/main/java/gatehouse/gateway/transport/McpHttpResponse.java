package gatehouse.gateway.transport;

import gatehouse.gateway.protocol.EventStream;

/** How the data plane answers: one JSON body, an empty status, or a server-sent event stream. */
public interface McpHttpResponse {
    void header(String name, String value);

    void json(int status, byte[] body);

    /**
     * The same, serialized straight into the response instead of into a byte array first (a
     * 100 KB answer was copied twice on its way out).
     */
    default void json(int status, tools.jackson.databind.JsonNode body) {
        json(status, gatehouse.platform.Json.bytes(body));
    }

    /**
     * A JSON body of {@code length} bytes that {@code body} writes into the response as it goes:
     * an answer relayed from the upstream's bytes is never assembled into one array first.
     */
    default void json(int status, long length, Body body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) length);
        try {
            body.writeTo(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        json(status, out.toByteArray());
    }

    /** Writes a body to a stream. */
    @FunctionalInterface
    interface Body {
        void writeTo(java.io.OutputStream out) throws java.io.IOException;
    }

    void empty(int status);

    /** Switches to text/event-stream (status 200). Writes are serialised by the caller. */
    EventStream stream();

    boolean committed();

}
