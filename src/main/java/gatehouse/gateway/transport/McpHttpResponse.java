package gatehouse.gateway.transport;

import gatehouse.gateway.protocol.EventStream;

/** How the data plane answers: one JSON body, an empty status, or a server-sent event stream. */
public interface McpHttpResponse {
    void header(String name, String value);

    void json(int status, byte[] body);

    void empty(int status);

    /** Switches to text/event-stream (status 200). Writes are serialised by the caller. */
    EventStream stream();

    boolean committed();

}
