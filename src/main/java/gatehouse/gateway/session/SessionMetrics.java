package gatehouse.gateway.session;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** Open downstream sessions (2025 generation) as a gauge at {@code /metrics}. */
@Component
class SessionMetrics implements MeterBinder {
    private final SessionRegistry sessions;

    SessionMetrics(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gatehouse.sessions.active", sessions, SessionRegistry::size).description("open MCP sessions")
                .register(registry);
    }
}
