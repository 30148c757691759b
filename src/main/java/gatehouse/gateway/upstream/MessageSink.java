package gatehouse.gateway.upstream;

import tools.jackson.databind.node.ObjectNode;

/** Receives messages an upstream sends on its own: notifications and server-to-client requests. */
@FunctionalInterface
public interface MessageSink {
    void deliver(UpstreamSession from, ObjectNode message);
}
