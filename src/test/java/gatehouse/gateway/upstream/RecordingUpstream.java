package gatehouse.gateway.upstream;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import tools.jackson.databind.node.ObjectNode;

/** An upstream session without a transport: what it would send is recorded (for the routing parts' unit tests). */
final class RecordingUpstream extends UpstreamSession {
    final List<ObjectNode> sent = new CopyOnWriteArrayList<>();
    private final boolean shared;

    RecordingUpstream(boolean shared) {
        super(new ServerDef("srv-1", "recorded", Transport.STREAMABLE_HTTP, null, null, "http://127.0.0.1:9/mcp", Map.of(),
                Instant.now(), Instant.now()));
        this.shared = shared;
    }

    @Override
    protected void transmit(ObjectNode message, PendingCall call) {
        sent.add(message);
    }

    @Override
    protected void recover() {
    }

    @Override
    public boolean isAlive() {
        return true;
    }

    @Override
    public void close() {
    }

    @Override
    protected boolean sharedAcrossClients() {
        return shared;
    }
}
