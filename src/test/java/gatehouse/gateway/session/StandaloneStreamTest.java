package gatehouse.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.EventStream;

/**
 * The GET stream's replay buffer under a flood: it keeps at most its events and bytes, drops the
 * oldest first, always keeps the newest, and a client resuming after a dropped event gets what is
 * still kept.
 */
class StandaloneStreamTest {

    /** Records what a client would receive. */
    private static final class Recorder implements EventStream {
        final List<String> ids = new ArrayList<>();

        @Override
        public void event(String id, byte[] data) {
            ids.add(id.substring(id.lastIndexOf('/') + 1));
        }

        @Override
        public void comment(String text) {
        }

        @Override
        public void close() {
        }
    }

    private static byte[] bytes(int n) {
        return "x".repeat(n).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFloodKeepsOnlyTheNewestEventsWithinTheEventBound() {
        StandaloneStream s = new StandaloneStream("s", 3, 1 << 20);
        for (int i = 0; i < 10_000; i++) {
            s.send(bytes(10));
        }
        assertThat(s.kept()).containsExactly(3, 30, 9_997);
        Recorder late = new Recorder();
        s.attach(late, "s/2");
        assertThat(late.ids).as("resuming after a dropped event: what is still kept").containsExactly("9998", "9999", "10000");
    }

    @Test
    void bigEventsAreBoundedByBytesAndTheNewestIsAlwaysKept() {
        StandaloneStream s = new StandaloneStream("s", 512, 1_000);
        for (int i = 0; i < 5; i++) {
            s.send(bytes(300));
        }
        assertThat(s.kept()).containsExactly(3, 900, 2);
        s.send(bytes(5_000)); // larger than the whole budget: kept alone
        assertThat(s.kept()).containsExactly(1, 5_000, 5);
        Recorder r = new Recorder();
        s.attach(r, "s/0");
        assertThat(r.ids).containsExactly("6");
    }
}
