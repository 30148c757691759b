package gatehouse.admin.api;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.alerts.AlertChannel;
import gatehouse.alerts.AlertChannels;

/**
 * Where alerts are delivered: {@code POST/GET /alert-channels}, {@code GET/DELETE /alert-channels/{id}},
 * and {@code POST /alert-channels/{id}/test}, which sends a test alert now and answers what the receiver did.
 */
@RestController
@RequestMapping("/api/v1/alert-channels")
class AlertChannelsController {
    private final AlertChannels channels;

    AlertChannelsController(AlertChannels channels) {
        this.channels = channels;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    AlertChannel create(@RequestBody AlertChannels.Input in) {
        return channels.create(in);
    }

    @GetMapping
    List<AlertChannel> list() {
        return channels.list();
    }

    @GetMapping("/{id}")
    AlertChannel get(@PathVariable String id) {
        return channels.get(id);
    }

    /** Sends a test alert to the channel now; 200 with {@code delivered: false} and the reason when the receiver failed. */
    @PostMapping("/{id}/test")
    AlertChannels.TestResult test(@PathVariable String id) {
        return channels.sendTest(id, AdminCaller.current().actor());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        channels.delete(id);
    }
}
