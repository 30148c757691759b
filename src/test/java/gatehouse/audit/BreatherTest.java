package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The log writer's yields: none within a slice of work, one once a slice has passed, counted from the yield. */
class BreatherTest {

    @Test
    void itYieldsOnlyOnceASliceOfWorkHasPassed() throws Exception {
        Breather b = new Breather();
        b.start();
        b.pause();
        assertThat(b.yields()).as("right after the stretch started").isZero();

        busy(Breather.SLICE_NANOS * 2);
        b.pause();
        assertThat(b.yields()).as("after two slices of work").isEqualTo(1);
        b.pause();
        assertThat(b.yields()).as("the next stretch counts from the yield").isEqualTo(1);

        TimeUnit.NANOSECONDS.sleep(Breather.SLICE_NANOS * 2);
        b.start();
        b.pause();
        assertThat(b.yields()).as("a new stretch after a wait starts afresh").isEqualTo(1);
    }

    private static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
