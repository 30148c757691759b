package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.AvailabilityState;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.ResponseEntity;

/**
 * Readiness follows start-up, shutdown and the database; liveness only the process. The
 * databases are real H2 databases: one that exists, and one the engine refuses to open.
 */
class HealthControllerTest {
    private final ApplicationAvailabilityBean availability = new ApplicationAvailabilityBean();

    private void publish(AvailabilityState state) {
        availability.onApplicationEvent(new AvailabilityChangeEvent<>(this, state));
    }

    private static JdbcDataSource database(Path dir, boolean exists) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("db") + (exists ? "" : ";IFEXISTS=TRUE"));
        ds.setUser("sa");
        return ds;
    }

    private static void assertAnswer(ResponseEntity<Map<String, String>> r, int status, String body) {
        assertThat(r.getStatusCode().value()).isEqualTo(status);
        assertThat(r.getBody()).isEqualTo(status == 200 ? Map.of("status", "ok") : Map.of("status", "unavailable", "reason", body));
    }

    @Test
    void notReadyWhileStartingReadyOnceStartedNotReadyWhenStopping(@TempDir Path dir) {
        HealthController health = new HealthController(availability, database(dir, true));
        publish(LivenessState.CORRECT);
        assertAnswer(health.readiness(), 503, "starting");
        assertAnswer(health.liveness(), 200, null);

        publish(ReadinessState.ACCEPTING_TRAFFIC);
        assertAnswer(health.readiness(), 200, null);

        publish(ReadinessState.REFUSING_TRAFFIC);
        assertAnswer(health.readiness(), 503, "stopping");
        assertAnswer(health.liveness(), 200, null);
    }

    @Test
    void aDatabaseThatDoesNotAnswerMakesItUnreadyButStillAlive(@TempDir Path dir) {
        HealthController health = new HealthController(availability, database(dir, false));
        publish(LivenessState.CORRECT);
        publish(ReadinessState.ACCEPTING_TRAFFIC);
        assertAnswer(health.readiness(), 503, "database unreachable");
        assertAnswer(health.liveness(), 200, null);
    }

    @Test
    void aBrokenProcessIsNotAlive(@TempDir Path dir) {
        HealthController health = new HealthController(availability, database(dir, true));
        publish(LivenessState.BROKEN);
        assertAnswer(health.liveness(), 503, "broken");
    }
}
