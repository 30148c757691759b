package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/** A fixed-delay job that blocks (a health check waiting on a server) does not hold up the others. */
class SchedulingConfigTest {

    static final class Jobs {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch blockerStarted = new CountDownLatch(1);
        final AtomicInteger quickRuns = new AtomicInteger();
        final CountDownLatch quickRanWhileBlocked = new CountDownLatch(3);

        @Scheduled(fixedDelay = 10)
        void blocker() throws InterruptedException {
            blockerStarted.countDown();
            release.await(2, TimeUnit.MINUTES);
        }

        @Scheduled(fixedDelay = 10)
        void quick() {
            quickRuns.incrementAndGet();
            if (blockerStarted.getCount() == 0 && release.getCount() > 0) {
                quickRanWhileBlocked.countDown();
            }
        }
    }

    @Configuration
    @EnableScheduling
    static class WithJobs {
        @Bean
        Jobs jobs() {
            return new Jobs();
        }
    }

    @Test
    void aBlockedJobLeavesTheOthersRunning() throws InterruptedException {
        new ApplicationContextRunner().withPropertyValues("spring.threads.virtual.enabled=true")
                .withUserConfiguration(SchedulingConfig.class, WithJobs.class).run(context -> {
                    Jobs jobs = context.getBean(Jobs.class);
                    try {
                        assertThat(jobs.blockerStarted.await(60, TimeUnit.SECONDS)).as("the blocking job started").isTrue();
                        assertThat(jobs.quickRanWhileBlocked.await(60, TimeUnit.SECONDS))
                                .as("the other job ran three times while the first was blocked (ran %d times)", jobs.quickRuns.get()).isTrue();
                    } finally {
                        jobs.release.countDown();
                    }
                });
    }
}
