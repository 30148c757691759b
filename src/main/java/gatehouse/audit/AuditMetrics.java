package gatehouse.audit;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The log writer's backlog at {@code /metrics}: a queue that keeps growing or a spool that is not
 * empty means records are waiting for the database (and producers will soon wait for the queue).
 */
@Component
class AuditMetrics implements MeterBinder {
    private final AuditLog log;

    AuditMetrics(AuditLog log) {
        this.log = log;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gatehouse.audit.queue.depth", log, AuditLog::queueDepth).description("log records waiting for the writer")
                .register(registry);
        Gauge.builder("gatehouse.audit.spool.bytes", log, AuditLog::spoolBytes).description("log records spooled while the database is away")
                .baseUnit("bytes").register(registry);
        FunctionCounter.builder("gatehouse.audit.dropped", log, AuditLog::dropped).description("log records lost since start")
                .register(registry);
    }
}
