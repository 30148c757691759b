package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class SignInThrottleTest {
    private final MutableClock clock = new MutableClock();
    private final LoginProperties.Throttle settings = new LoginProperties.Throttle(2, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(15));
    private final SignInThrottle throttle = new SignInThrottle(settings, clock);

    @Test
    void freeFailuresPassThenDelaysDoubleUpToTheMaximum() {
        for (int i = 0; i < 2; i++) {
            assertThat(throttle.tryAcquire("k")).isEmpty();
            throttle.failed("k");
        }
        // Third failure: 1 s, then 2, 4, 8, 8 (capped).
        long[] expected = {1, 2, 4, 8, 8};
        for (long seconds : expected) {
            assertThat(throttle.tryAcquire("k")).as("allowed after the previous wait").isEmpty();
            throttle.failed("k");
            assertThat(throttle.tryAcquire("k")).as("an immediate retry waits %d s", seconds).contains(Duration.ofSeconds(seconds));
            clock.advance(Duration.ofMillis(seconds * 1000 - 1));
            assertThat(throttle.tryAcquire("k")).as("still early").isPresent();
            clock.advance(Duration.ofMillis(1));
        }
    }

    @Test
    void pastTheFreeFailuresAnAttemptHoldsTheSlotSoParallelAttemptsWait() {
        throttle.failed("k");
        throttle.failed("k");
        assertThat(throttle.tryAcquire("k")).isEmpty();
        assertThat(throttle.tryAcquire("k")).as("a second attempt in flight at the same time").isPresent();
    }

    @Test
    void keysAreIndependentAndSuccessClears() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("a");
        }
        assertThat(throttle.tryAcquire("a")).isPresent();
        assertThat(throttle.tryAcquire("b")).isEmpty();
        throttle.succeeded("a");
        assertThat(throttle.tryAcquire("a")).isEmpty();
    }

    @Test
    void oldFailuresAreForgotten() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("k");
        }
        clock.advance(Duration.ofMinutes(16));
        assertThat(throttle.tryAcquire("k")).isEmpty();
        throttle.failed("k");
        assertThat(throttle.tryAcquire("k")).as("counting starts again from one").isEmpty();
    }

    @Test
    void memoryIsBoundedUnderAFloodOfKeys() {
        for (int i = 0; i < SignInThrottle.MAX_ENTRIES + 500; i++) {
            throttle.failed("addr-" + i);
        }
        assertThat(throttle.size()).isEqualTo(SignInThrottle.MAX_ENTRIES);
    }

    @Test
    void aZeroBaseDelayTurnsItOff() {
        SignInThrottle off = new SignInThrottle(new LoginProperties.Throttle(0, Duration.ZERO, Duration.ZERO, Duration.ZERO), clock);
        for (int i = 0; i < 50; i++) {
            off.failed("k");
        }
        assertThat(off.tryAcquire("k")).isEmpty();
    }
}
