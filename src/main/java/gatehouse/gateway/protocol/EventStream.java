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
}
