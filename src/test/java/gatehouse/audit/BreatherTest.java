package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The log writer's yields: none within a slice of work, one once a slice has passed, counted from the yield. */
class BreatherTest {

    @Test
    void itYieldsOnlyOnceASliceOfWorkHasPassed() {
        AtomicLong now = new AtomicLong(1_000_000);
        Breather b = new Breather(now::get);
        b.start();
        now.addAndGet(Breather.SLICE_NANOS - 1);
        b.pause();
        assertThat(b.yields()).as("just under a slice of work").isZero();

        now.addAndGet(1);
        b.pause();
        assertThat(b.yields()).as("a slice of work").isEqualTo(1);
        now.addAndGet(Breather.SLICE_NANOS / 2);
        b.pause();
        assertThat(b.yields()).as("the next stretch counts from the yield").isEqualTo(1);

        now.addAndGet(Breather.SLICE_NANOS * 5); // a wait between two batches, not work
        b.start();
        b.pause();
        assertThat(b.yields()).as("a new stretch starts afresh").isEqualTo(1);
        now.addAndGet(Breather.SLICE_NANOS);
        b.pause();
        assertThat(b.yields()).isEqualTo(2);
    }
}
