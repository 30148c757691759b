package gatehouse.admin.api;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;

/** Alerts: list (newest first), read one, acknowledge or resolve. */
@RestController
@RequestMapping("/api/v1/alerts")
class AlertsController {
    private final AlertService alerts;

    AlertsController(AlertService alerts) {
        this.alerts = alerts;
    }

    record StateInput(String state) {
    }

    @GetMapping
    List<Alert> list(@RequestParam(required = false) String state, @RequestParam(required = false) String type,
                     @RequestParam(required = false) String gateway, @RequestParam(required = false) String feature,
                     @RequestParam(required = false) Integer limit) {
        return alerts.list(state, type, gateway, feature, limit);
    }

    @GetMapping("/{id}")
    Alert get(@PathVariable String id) {
        return alerts.get(id);
    }

    /** {@code {"state": "acknowledged"|"resolved"|"open"}}. */
    @PatchMapping("/{id}")
    Alert update(@PathVariable String id, @RequestBody StateInput in) {
        return alerts.setState(id, in == null ? null : in.state());
    }
}
