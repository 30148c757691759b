package gatehouse.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The MCP event stream's writes when the client has gone. Tomcat may end and recycle an
 * asynchronous request after its client left, before the stream writes again; its output stream
 * then fails with a NullPointerException (its buffer is gone) or an IllegalStateException instead of
 * an IOException. The recycled stream is a named fake here: that state cannot be reached on purpose
 * through a real socket in a test. Either failure must reach the caller as an IOException, so the
 * stream ends quietly as for any client that left, not as an internal error.
 */
class EventStreamWritesTest {
    /** Fake: an output stream as Tomcat's behaves once its request was recycled. */
    private static final class RecycledOutput extends OutputStream {
        private final RuntimeException failure;

        RecycledOutput(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public void write(int b) {
            throw failure;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            throw failure;
        }
    }

    @Test
    void aWriteAfterTheContainerRecycledTheRequestIsAnIOExceptionAndClosesTheStream() {
        McpServlet.Stream stream = new McpServlet.Stream(new RecycledOutput(new NullPointerException("ob is null")));
        assertThatThrownBy(() -> stream.event("1", "{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("client is gone");
        assertThatThrownBy(() -> stream.comment("ping")).isInstanceOf(IOException.class).hasMessage("stream closed");
        stream.close(); // quietly
    }

    @Test
    void anIllegalStateOfTheContainerIsAnIOExceptionToo() {
        McpServlet.Stream stream = new McpServlet.Stream(new RecycledOutput(new IllegalStateException("recycled")));
        assertThatThrownBy(() -> stream.comment("ping")).isInstanceOf(IOException.class).hasMessageContaining("client is gone");
        assertThatThrownBy(() -> stream.last("{}".getBytes(StandardCharsets.UTF_8))).isInstanceOf(IOException.class);
    }

    @Test
    void eventsOnAWorkingStreamAreFramedAsBefore() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        McpServlet.Stream stream = new McpServlet.Stream(out);
        stream.event("7", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        stream.comment("keep-alive");
        stream.last("{\"b\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "event: message\nid: 7\ndata: {\"a\":1}\n\n: keep-alive\n\nevent: message\ndata: {\"b\":2}\n\n");
        assertThatThrownBy(() -> stream.comment("after the last")).isInstanceOf(IOException.class);
    }
}
