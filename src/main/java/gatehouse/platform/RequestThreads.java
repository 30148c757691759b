package gatehouse.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Tomcat's request executor: a request runs on one of a few platform threads when one is idle, and
 * on a new virtual thread otherwise, so nothing ever queues and no count of slow calls or open
 * streams can starve the others.
 *
 * <p>Why not virtual threads for everything: a short request on a virtual thread wakes a carrier
 * when it starts, parks it and hands the socket to the JDK's poller when it waits for its upstream,
 * and wakes a carrier again when the answer arrives; at a few hundred calls a second those wake-ups
 * (futex waits and wakes, context switches) were about a third of the gateway's CPU per call. On an
 * idle platform thread the request costs one hand-off, and a blocking read waits in the kernel.
 * Long-lived work (the MCP GET stream) moves itself to a virtual thread, so the platform threads
 * stay free for short requests.
 */
public final class RequestThreads implements Executor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestThreads.class);

    private final LinkedTransferQueue<Runnable> idle = new LinkedTransferQueue<>();
    private final ThreadFactory overflow = Thread.ofVirtual().name("tomcat-handler-", 0).factory();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    /** {@code platform} threads; 0 = every request on a new virtual thread. */
    public RequestThreads(int platform) {
        if (platform < 0) {
            throw new IllegalArgumentException("gatehouse.http.platform-threads must be 0 or more");
        }
        for (int i = 0; i < platform; i++) {
            workers.add(Thread.ofPlatform().name("http-worker-" + i).daemon(true).start(this::work));
        }
    }

    /** True on one of these platform threads (long-lived work should move to a virtual thread). */
    public static boolean onPlatformWorker() {
        return !Thread.currentThread().isVirtual() && Thread.currentThread().getName().startsWith("http-worker-");
    }

    @Override
    public void execute(Runnable task) {
        // handed over only to a platform thread waiting for work, never queued
        if (closed || !idle.tryTransfer(task)) {
            overflow.newThread(task).start();
        }
    }

    private void work() {
        while (!closed) {
            Runnable task;
            try {
                task = idle.take();
            } catch (InterruptedException e) {
                continue; // closed, or a stray interrupt: the loop condition decides
            }
            try {
                task.run();
            } catch (Throwable t) {
                log.error("a request task failed", t);
            }
            Thread.interrupted(); // a task's interrupt ends with the task
        }
    }

    public int platformThreads() {
        return workers.size();
    }

    /** Platform threads waiting for a request now. */
    public int idleThreads() {
        return idle.getWaitingConsumerCount();
    }

    @Override
    public void close() {
        closed = true;
        workers.forEach(Thread::interrupt);
    }

    @Configuration
    static class Installation {
        @Bean(destroyMethod = "close")
        RequestThreads requestThreads(@Value("${gatehouse.http.platform-threads:16}") int platform) {
            return new RequestThreads(platform);
        }

        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> requestThreadsExecutor(RequestThreads threads) {
            return new ExecutorInstaller(threads);
        }
    }

    /** Ordered last, so it replaces the virtual-thread executor Boot installs for spring.threads.virtual.enabled. */
    private record ExecutorInstaller(RequestThreads threads) implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            if (threads.platformThreads() > 0) {
                factory.addProtocolHandlerCustomizers(protocol -> protocol.setExecutor(threads));
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
