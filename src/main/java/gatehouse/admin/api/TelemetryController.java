package gatehouse.admin.api;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.telemetry.TelemetrySettings;

/**
 * OpenTelemetry export: {@code GET /telemetry} (what is in use and where it comes from),
 * {@code PUT /telemetry} (set it; replaces the environment's {@code OTEL_*} settings),
 * {@code DELETE /telemetry} (back to the environment's). Administrators only.
 */
@RestController
@RequestMapping("/api/v1/telemetry")
class TelemetryController {
    private final TelemetrySettings settings;

    TelemetryController(TelemetrySettings settings) {
        this.settings = settings;
    }

    @GetMapping
    TelemetrySettings.View get() {
        return settings.view();
    }

    @PutMapping
    TelemetrySettings.View put(@RequestBody(required = false) TelemetrySettings.Input in) {
        return settings.put(in);
    }

    @DeleteMapping
    TelemetrySettings.View delete() {
        return settings.clear();
    }
}
