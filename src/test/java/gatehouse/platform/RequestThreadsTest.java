package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Tomcat's request executor: an idle platform thread takes a request; when none is idle the request
 * runs on a new virtual thread at once, so slow requests never make others wait.
 */
class RequestThreadsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static CompletableFuture<Thread> runOn(RequestThreads threads, CountDownLatch hold) {
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        threads.execute(() -> {
            ran.complete(Thread.currentThread());
            try {
                hold.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return ran;
    }

    @Test
    void anIdlePlatformThreadTakesTheRequest() throws Exception {
        try (RequestThreads threads = new RequestThreads(2)) {
            await().atMost(WAIT).until(() -> threads.idleThreads() == 2);
            Thread t = runOn(threads, new CountDownLatch(0)).get(60, TimeUnit.SECONDS);
            assertThat(t.isVirtual()).isFalse();
            assertThat(t.getName()).startsWith("http-worker-");
        }
    }

    @Test
    void theThreadIdleTheShortestTimeTakesTheNextRequest() throws Exception {
        try (RequestThreads threads = new RequestThreads(4)) {
            await().atMost(WAIT).until(() -> threads.idleThreads() == 4);
            Thread first = runOn(threads, new CountDownLatch(0)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                await().atMost(WAIT).until(() -> threads.idleThreads() == 4);
                // a queue would hand it to the thread idle the longest, cycling all four
                assertThat(runOn(threads, new CountDownLatch(0)).get(60, TimeUnit.SECONDS)).isSameAs(first);
            }
        }
    }

    @Test
    void closingWhileIdleEndsEveryPlatformThread() throws Exception {
        RequestThreads threads = new RequestThreads(3);
        await().atMost(WAIT).until(() -> threads.idleThreads() == 3);
        Thread t = runOn(threads, new CountDownLatch(0)).get(60, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> threads.idleThreads() == 3);
        threads.close();
        t.join(60_000);
        assertThat(t.isAlive()).isFalse();
        await().atMost(WAIT).until(() -> threads.idleThreads() == 0);
    }

    @Test
    void whenEveryPlatformThreadIsBusyTheRequestRunsOnAVirtualThreadAtOnce() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        try (RequestThreads threads = new RequestThreads(2)) {
            await().atMost(WAIT).until(() -> threads.idleThreads() == 2);
            Thread first = runOn(threads, hold).get(60, TimeUnit.SECONDS);
            Thread second = runOn(threads, hold).get(60, TimeUnit.SECONDS);
            Thread third = runOn(threads, hold).get(60, TimeUnit.SECONDS); // would wait for `hold` if it queued
            assertThat(first.isVirtual()).isFalse();
            assertThat(second.isVirtual()).isFalse();
            assertThat(third.isVirtual()).isTrue();
            hold.countDown();
            // the platform threads come back for the next requests
            await().atMost(WAIT).until(() -> threads.idleThreads() == 2);
            assertThat(runOn(threads, new CountDownLatch(0)).get(60, TimeUnit.SECONDS).isVirtual()).isFalse();
        }
    }

    @Test
    void aFailingOrInterruptingTaskDoesNotCostAThread() throws Exception {
        try (RequestThreads threads = new RequestThreads(1)) {
            await().atMost(WAIT).until(() -> threads.idleThreads() == 1);
            threads.execute(() -> {
                throw new IllegalStateException("boom");
            });
            await().atMost(WAIT).until(() -> threads.idleThreads() == 1);
            threads.execute(() -> Thread.currentThread().interrupt());
            await().atMost(WAIT).until(() -> threads.idleThreads() == 1);
            CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
            threads.execute(() -> interrupted.complete(Thread.currentThread().isInterrupted() || Thread.currentThread().isVirtual()));
            assertThat(interrupted.get(60, TimeUnit.SECONDS)).as("the next task runs on a clean platform thread").isFalse();
        }
    }

    @Test
    void zeroPlatformThreadsMeansEveryRequestOnAVirtualThreadAndClosedMeansVirtualToo() throws Exception {
        try (RequestThreads none = new RequestThreads(0)) {
            assertThat(runOn(none, new CountDownLatch(0)).get(60, TimeUnit.SECONDS).isVirtual()).isTrue();
        }
        RequestThreads closed = new RequestThreads(1);
        closed.close();
        assertThat(runOn(closed, new CountDownLatch(0)).get(60, TimeUnit.SECONDS).isVirtual()).isTrue();
        assertThatThrownBy(() -> new RequestThreads(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gatehouse.http.platform-threads");
    }
}
