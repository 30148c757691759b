package gatehouse.admin.api;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.Connection;
import gatehouse.catalog.Host;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.ProblemException;

/** Apps & Agents: API-token hosts and their connections to gateways. */
@RestController
@RequestMapping("/api/v1")
class ConnectionsController {
    private final CatalogService catalog;
    private final GatehouseProperties props;

    ConnectionsController(CatalogService catalog, GatehouseProperties props) {
        this.catalog = catalog;
        this.props = props;
    }

    record HostInput(String name) {
    }

    record HostView(String id, String name, String kind, Instant createdAt) {
        static HostView of(Host h) {
            return new HostView(h.id(), h.name(), h.kind(), h.createdAt());
        }
    }

    @PostMapping("/hosts")
    @ResponseStatus(HttpStatus.CREATED)
    HostView createHost(@RequestBody HostInput in) {
        return HostView.of(catalog.createHost(in.name(), "api-token"));
    }

    @GetMapping("/hosts")
    List<HostView> hosts() {
        return catalog.hosts().stream().map(HostView::of).toList();
    }

    @DeleteMapping("/hosts/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteHost(@PathVariable String id) {
        catalog.deleteHost(id);
    }

    record ConnectionInput(String gatewayId, Map<String, Object> identities) {
    }

    record ConnectionView(String id, String gatewayId, String hostId, String userId, boolean enabled, Instant createdAt, String url) {
    }

    record IssuedView(String id, String gatewayId, String hostId, boolean enabled, Instant createdAt, String url, String token) {
    }

    private String url(Connection c) {
        return props.publicUrlNoSlash() + "/gateway/v1/mcp?gateway=" + c.gatewayId();
    }

    private ConnectionView view(Connection c) {
        return new ConnectionView(c.id(), c.gatewayId(), c.hostId(), c.userId(), c.enabled(), c.createdAt(), url(c));
    }

    /** The token is in this answer only; Gatehouse keeps its hash. */
    @PostMapping("/hosts/{hid}/connections")
    @ResponseStatus(HttpStatus.CREATED)
    IssuedView createConnection(@PathVariable String hid, @RequestBody ConnectionInput in) {
        if (in.identities() != null && !in.identities().isEmpty()) {
            throw ProblemException.invalid("identities", "personal identities are not supported yet; assign servers with identity 'shared'");
        }
        CatalogService.IssuedConnection issued = catalog.createConnection(hid, in.gatewayId());
        Connection c = issued.connection();
        return new IssuedView(c.id(), c.gatewayId(), c.hostId(), c.enabled(), c.createdAt(), url(c), issued.token());
    }

    @GetMapping("/connections")
    List<ConnectionView> connections(@RequestParam(name = "gateway", required = false) String gateway) {
        return catalog.snapshot().connectionsById().values().stream()
                .filter(c -> gateway == null || gateway.equals(c.gatewayId()))
                .sorted(Comparator.comparing(Connection::createdAt).thenComparing(Connection::id))
                .map(this::view).toList();
    }

    @GetMapping("/connections/{id}")
    ConnectionView connection(@PathVariable String id) {
        return view(catalog.connection(id));
    }

    record ConnectionPatch(Boolean enabled) {
    }

    @PatchMapping("/connections/{id}")
    ConnectionView patch(@PathVariable String id, @RequestBody ConnectionPatch in) {
        if (in.enabled() == null) {
            throw ProblemException.invalid("enabled", "enabled (true or false) is required");
        }
        return view(catalog.setConnectionEnabled(id, in.enabled()));
    }

    @PostMapping("/connections/{id}/token")
    Map<String, String> rotate(@PathVariable String id) {
        return Map.of("id", id, "token", catalog.rotateConnectionToken(id));
    }

    @DeleteMapping("/connections/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable String id) {
        catalog.deleteConnection(id);
    }
}
