package gatehouse.platform;

import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Readiness and liveness, for load balancers, orchestrators and scripts. {@code /healthz} answers
 * 200 only when Gatehouse takes traffic: start-up has finished (migrations run, the
 * {@code --config} file applied, the HTTP listener open: Spring marks readiness after the last
 * start-up runner) and the database answers now; otherwise 503 with the reason. {@code /livez}
 * answers 200 while the process is sound, even when the database is away, so an orchestrator
 * restarts Gatehouse only when a restart can help. Neither needs a token or tells more than a reason.
 */
@RestController
class HealthController {
    private static final Duration DATABASE_CHECK = Duration.ofSeconds(2);

    private final ApplicationAvailability availability;
    private final DataSource dataSource;

    HealthController(ApplicationAvailability availability, DataSource dataSource) {
        this.availability = availability;
        this.dataSource = dataSource;
    }

    @GetMapping("/healthz")
    ResponseEntity<Map<String, String>> readiness() {
        if (availability.getReadinessState() != ReadinessState.ACCEPTING_TRAFFIC) {
            return unavailable(startedOnce() ? "stopping" : "starting");
        }
        if (!databaseAnswers()) {
            return unavailable("database unreachable");
        }
        return ResponseEntity.ok(Map.of("status", "ok"));
    }

    @GetMapping("/livez")
    ResponseEntity<Map<String, String>> liveness() {
        if (availability.getLivenessState() != LivenessState.CORRECT) {
            return unavailable("broken");
        }
        return ResponseEntity.ok(Map.of("status", "ok"));
    }

    /** Readiness changes to refusing only at shutdown; before the first ready event there is none. */
    private boolean startedOnce() {
        return availability.getLastChangeEvent(ReadinessState.class) != null;
    }

    /**
     * A connection that validates within {@link #DATABASE_CHECK}. The check runs on its own
     * virtual thread, so a pool waiting for a lost database does not hold the probe.
     */
    private boolean databaseAnswers() {
        CompletableFuture<Boolean> answered = new CompletableFuture<>();
        Thread.ofVirtual().name("healthz-database").start(() -> {
            try (Connection c = dataSource.getConnection()) {
                answered.complete(c.isValid((int) DATABASE_CHECK.toSeconds()));
            } catch (Exception | Error e) {
                answered.complete(false);
            }
        });
        try {
            return answered.get(DATABASE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ResponseEntity<Map<String, String>> unavailable(String reason) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", "unavailable");
        body.put("reason", reason);
        return ResponseEntity.status(503).body(body);
    }
}
