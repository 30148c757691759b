package gatehouse.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

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
    /** A worker's slot once the executor has closed: nothing more is handed to it. */
    private static final Runnable CLOSED = () -> { };

    /** Idle platform threads, the one idle the shortest time first. */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    private final ThreadFactory overflow = Thread.ofVirtual().name("tomcat-handler-", 0).factory();
    private final List<Worker> workers = new ArrayList<>();
    private volatile boolean closed;

    /** {@code platform} threads; 0 = every request on a new virtual thread. */
    public RequestThreads(int platform) {
        if (platform < 0) {
            throw new IllegalArgumentException("gatehouse.http.platform-threads must be 0 or more");
        }
        for (int i = 0; i < platform; i++) {
            Worker w = new Worker();
            workers.add(w);
            w.thread = Thread.ofPlatform().name("http-worker-" + i).daemon(true).unstarted(w::work);
            w.thread.start();
        }
    }

    /** True on one of these platform threads (long-lived work should move to a virtual thread). */
    public static boolean onPlatformWorker() {
        return !Thread.currentThread().isVirtual() && Thread.currentThread().getName().startsWith("http-worker-");
    }

    /**
     * Hands the task to the platform thread that became idle last (its stack and data are still in
     * the core's caches; handing to the longest idle, as a queue would, cycles every thread through
     * them), else starts a virtual thread. Never queued.
     */
    @Override
    public void execute(Runnable task) {
        if (!closed) {
            for (Worker w = idle.pollFirst(); w != null; w = idle.pollFirst()) {
                if (w.slot.compareAndSet(null, task)) {
                    LockSupport.unpark(w.thread);
                    return;
                }
            }
        }
        overflow.newThread(task).start();
    }

    /** One platform thread: its slot is empty while it waits, holds the task handed to it, or CLOSED. */
    private final class Worker {
        final AtomicReference<Runnable> slot = new AtomicReference<>();
        volatile Thread thread;

        void work() {
            while (true) {
                idle.addFirst(this);
                Runnable task;
                while ((task = slot.get()) == null && !closed) {
                    LockSupport.park(this);
                    Thread.interrupted(); // a stray interrupt must not make the wait spin
                }
                if (task == null && !slot.compareAndSet(null, CLOSED)) {
                    task = slot.get(); // handed over just as the executor closed: it still runs
                }
                if (task == null || task == CLOSED) {
                    idle.remove(this);
                    return;
                }
                try {
                    task.run();
                } catch (Throwable t) {
                    log.error("a request task failed", t);
                }
                Thread.interrupted(); // a task's interrupt ends with the task
                slot.set(closed ? CLOSED : null);
                if (closed) {
                    return;
                }
            }
        }
    }

    public int platformThreads() {
        return workers.size();
    }

    /** Platform threads waiting for a request now. */
    public int idleThreads() {
        return idle.size();
    }

    @Override
    public void close() {
        closed = true;
        workers.forEach(w -> LockSupport.unpark(w.thread));
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
