package gatehouse.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import org.junit.jupiter.api.Test;

/**
 * The end of an asynchronous GET stream, reached by its own thread and by the container (a write
 * failed) at once. The asynchronous context is a stand-in that counts completions: the two threads
 * meeting at the same instant cannot be caused on purpose with a real container.
 */
class AsyncStreamEndTest {
    private static final class CountingContext implements AsyncContext {
        final AtomicInteger completions = new AtomicInteger();

        @Override
        public void complete() {
            if (completions.incrementAndGet() > 1) {
                throw new IllegalStateException("completed twice");
            }
        }

        @Override public ServletRequest getRequest() { return null; }
        @Override public ServletResponse getResponse() { return null; }
        @Override public boolean hasOriginalRequestAndResponse() { return true; }
        @Override public void dispatch() { }
        @Override public void dispatch(String path) { }
        @Override public void dispatch(ServletContext context, String path) { }
        @Override public void start(Runnable run) { run.run(); }
        @Override public void addListener(AsyncListener listener) { }
        @Override public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) { }
        @Override public <T extends AsyncListener> T createListener(Class<T> clazz) { return null; }
        @Override public void setTimeout(long timeout) { }
        @Override public long getTimeout() { return 0; }
    }

    @Test
    void theStreamEndsOnceWhenItsThreadAndTheContainerEndItTogether() throws Exception {
        for (int round = 0; round < 200; round++) {
            CountingContext context = new CountingContext();
            McpServlet.AsyncStream ending = new McpServlet.AsyncStream(context);
            ending.opened(new McpServlet.Stream(new ByteArrayOutputStream()));
            CountDownLatch go = new CountDownLatch(1);
            Thread container = Thread.ofPlatform().start(() -> {
                await(go);
                ending.onError(null);
            });
            Thread own = Thread.ofPlatform().start(() -> {
                await(go);
                ending.end();
            });
            go.countDown();
            container.join();
            own.join();
            assertThat(context.completions.get()).as("round %d", round).isEqualTo(1);
        }
    }

    @Test
    void nothingIsWrittenToTheStreamOnceTheRequestEnded() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        McpServlet.Stream stream = new McpServlet.Stream(out);
        McpServlet.AsyncStream ending = new McpServlet.AsyncStream(new CountingContext());
        ending.opened(stream);
        stream.event(null, "{\"a\":1}".getBytes());
        int written = out.size();
        ending.onError(null);
        assertThatThrownBy(() -> stream.comment("keep-alive")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> stream.event(null, "{\"b\":2}".getBytes())).isInstanceOf(IOException.class);
        assertThat(out.size()).isEqualTo(written);
    }

    @Test
    void aStreamOpenedAfterTheRequestEndedWritesNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        McpServlet.AsyncStream ending = new McpServlet.AsyncStream(new CountingContext());
        ending.end();
        McpServlet.Stream stream = new McpServlet.Stream(out);
        ending.opened(stream);
        assertThatThrownBy(() -> stream.event(null, "{}".getBytes())).isInstanceOf(IOException.class);
        assertThat(out.size()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
