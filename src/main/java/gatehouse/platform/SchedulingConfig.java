package gatehouse.platform;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Periodic work runs on a small pool of its own, so one slow job cannot hold up the others. With
 * virtual threads switched on, the default scheduler runs every fixed-delay job on one thread: a
 * health check waiting for a stdio server to start then delayed catalogue refresh, token
 * revocation checks and rug-pull discovery for as long as it waited.
 */
@Configuration
class SchedulingConfig {
    /** More than the jobs that can block on the network or a child process at once (health, discovery, token refresh, retention). */
    static final int POOL_SIZE = 6;

    @Bean
    TaskScheduler taskScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(POOL_SIZE);
        scheduler.setThreadNamePrefix("scheduled-");
        scheduler.setDaemon(true);
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        return scheduler;
    }
}
