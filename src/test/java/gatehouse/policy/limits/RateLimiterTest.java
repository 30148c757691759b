package gatehouse.policy.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Token buckets on a movable clock: bursts, refill, refusals that take nothing, keys apart, the bound. */
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aQuietCallerMayBurstTheWholeAllowanceThenWaitsForOneToRefill() {
        RateLimiter limiter = new RateLimiter(new RateLimit(3, Duration.ofSeconds(3)), 100);
        long t = 1_000 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("c", t)).as("request %d", i).isInstanceOf(RateLimiter.Outcome.Admitted.class);
        }
        assertThat(limiter.acquire("c", t)).isEqualTo(new RateLimiter.Outcome.Refused(Duration.ofSeconds(1)));
        // A refusal takes nothing: half a second later the wait is half a second.
        assertThat(limiter.acquire("c", t + SECOND / 2)).isEqualTo(new RateLimiter.Outcome.Refused(Duration.ofMillis(500)));
        assertThat(limiter.acquire("c", t + SECOND)).isInstanceOf(RateLimiter.Outcome.Admitted.class);
        assertThat(limiter.acquire("c", t + SECOND)).isInstanceOf(RateLimiter.Outcome.Refused.class);
        // After a whole quiet window the bucket is full again, never fuller.
        long later = t + 60 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("c", later)).isInstanceOf(RateLimiter.Outcome.Admitted.class);
        }
        assertThat(limiter.acquire("c", later)).isInstanceOf(RateLimiter.Outcome.Refused.class);
    }

    @Test
    void callersDoNotShareBuckets() {
        RateLimiter limiter = new RateLimiter(new RateLimit(1, Duration.ofMinutes(1)), 100);
        assertThat(limiter.acquire("a", 0)).isInstanceOf(RateLimiter.Outcome.Admitted.class);
        assertThat(limiter.acquire("a", 0)).isInstanceOf(RateLimiter.Outcome.Refused.class);
        assertThat(limiter.acquire("b", 0)).isInstanceOf(RateLimiter.Outcome.Admitted.class);
    }

    @Test
    void offAdmitsEverythingAndRemembersNothing() {
        RateLimiter limiter = new RateLimiter(RateLimit.OFF, 100);
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.acquire("k" + i, 0)).isInstanceOf(RateLimiter.Outcome.Admitted.class);
        }
        assertThat(limiter.size()).isZero();
    }

    @Test
    void theTableIsBoundedByForgettingTheLeastRecentlyUsed() {
        RateLimiter limiter = new RateLimiter(new RateLimit(1, Duration.ofHours(1)), 3);
        for (int i = 0; i < 1_000; i++) {
            limiter.acquire("flood-" + i, 0);
        }
        assertThat(limiter.size()).isEqualTo(3);
    }

    @Test
    void parallelRequestsNeverGetMoreThanTheAllowance() throws Exception {
        RateLimiter limiter = new RateLimiter(new RateLimit(50, Duration.ofHours(1)), 10);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 100; j++) {
                    if (limiter.acquire("shared", 5 * SECOND) instanceof RateLimiter.Outcome.Admitted) {
                        admitted.incrementAndGet();
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(admitted).hasValue(50);
    }

    @Test
    void nonsenseLimitsAreRefusedWithAReason() {
        assertThatThrownBy(() -> new RateLimit(-1, Duration.ofMinutes(1))).hasMessageContaining("0 (off) or more");
        assertThatThrownBy(() -> new RateLimit(5, Duration.ZERO)).hasMessageContaining("period must be positive");
    }

    @Test
    void aSmallerBurstLetsAQuietCallerSendOnlyThatManyAtOnceAtTheSameRate() {
        // 60 per minute (one a second), burst 3
        RateLimiter limiter = new RateLimiter(new RateLimit(60, Duration.ofMinutes(1), 3), 100);
        long t = 1_000 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("k", t)).isInstanceOf(RateLimiter.Outcome.Admitted.class);
        }
        assertThat(limiter.acquire("k", t)).isEqualTo(new RateLimiter.Outcome.Refused(Duration.ofSeconds(1)));
        assertThat(limiter.acquire("k", t + SECOND)).isInstanceOf(RateLimiter.Outcome.Admitted.class);
        assertThat(limiter.acquire("k", t + SECOND)).isInstanceOf(RateLimiter.Outcome.Refused.class);
        // a long quiet time refills only up to the burst
        long later = t + 3_600 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("k", later)).isInstanceOf(RateLimiter.Outcome.Admitted.class);
        }
        assertThat(limiter.acquire("k", later)).isInstanceOf(RateLimiter.Outcome.Refused.class);
        assertThat(new RateLimit(60, Duration.ofMinutes(1), 3)).hasToString("60 per PT1M (burst 3)");
    }
}
