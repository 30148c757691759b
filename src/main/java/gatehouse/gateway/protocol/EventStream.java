package gatehouse.gateway.protocol;

import java.io.IOException;

/**
 * A server-sent event stream to one client, as the Streamable HTTP transport writes it: JSON-RPC
 * messages as events, comments as keep-alives. Writes are serialised by the implementation.
 */
public interface EventStream {
    void event(String id, byte[] data) throws IOException;

    void comment(String text) throws IOException;

    void close();

    /**
     * The last event of a POST's answer, then the end of the stream. An implementation may leave
     * the bytes to the container, which sends them when the request handler returns: the answer
     * then reaches the client only after the exchange is complete (its log record queued).
     */
    default void last(byte[] data) throws IOException {
        try {
            event(null, data);
        } finally {
            close();
        }
    }
}
