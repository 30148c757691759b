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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.Connection;
import gatehouse.catalog.Host;
import gatehouse.catalog.IdentityScheme;
import gatehouse.identity.CredentialRefresh;
import gatehouse.identity.IdentityVault;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.ProblemException;

/** Apps & Agents: API-token hosts and their connections to gateways, and the identities connections present. */
@RestController
@RequestMapping("/api/v1")
class ConnectionsController {
    private final CatalogService catalog;
    private final GatehouseProperties props;
    private final IdentityVault vault;
    private final CredentialRefresh refresh;

    private final CheckedTokens checked;

    ConnectionsController(CatalogService catalog, GatehouseProperties props, IdentityVault vault, CheckedTokens checked, CredentialRefresh refresh) {
        this.refresh = refresh;
        this.checked = checked;
        this.vault = vault;
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

    /** The state of the connection's credential for each personal server; never a secret. */
    record IdentityView(String serverId, String state, Instant expiresAt, String error) {
        static IdentityView of(IdentityVault.IdentityState s) {
            return new IdentityView(s.serverId(), s.state(), s.expiresAt(), s.error());
        }
    }

    record ConnectionView(String id, String gatewayId, String hostId, String userId, boolean enabled, Instant createdAt, String url,
                          List<IdentityView> identities) {
    }

    record IssuedView(String id, String gatewayId, String hostId, boolean enabled, Instant createdAt, String url, String token) {
    }

    private String url(Connection c) {
        return props.publicUrlNoSlash() + "/gateway/v1/mcp?gateway=" + c.gatewayId();
    }

    private ConnectionView view(Connection c) {
        return new ConnectionView(c.id(), c.gatewayId(), c.hostId(), c.userId(), c.enabled(), c.createdAt(), url(c),
                vault.states(c).stream().map(IdentityView::of).toList());
    }

    /** The token is in this answer only; Gatehouse keeps its hash. */
    @PostMapping("/hosts/{hid}/connections")
    @ResponseStatus(HttpStatus.CREATED)
    IssuedView createConnection(@PathVariable String hid, @RequestBody ConnectionInput in) {
        Map<String, String> tokens = identityTokens(in);
        tokens.forEach((serverId, token) -> checked.require("identities." + serverId + ".token", serverId, token));
        CatalogService.IssuedConnection issued = catalog.createConnection(hid, in.gatewayId());
        Connection c = issued.connection();
        tokens.forEach((serverId, token) -> vault.storeConnectionToken(c.id(), serverId, token));
        return new IssuedView(c.id(), c.gatewayId(), c.hostId(), c.enabled(), c.createdAt(), url(c), issued.token());
    }

    /** {@code identities: {serverId: {token}}}, checked before anything is created: personal servers of the gateway only. */
    private Map<String, String> identityTokens(ConnectionInput in) {
        Map<String, String> tokens = new java.util.LinkedHashMap<>();
        if (in.identities() == null) {
            return tokens;
        }
        if (in.gatewayId() == null) {
            throw ProblemException.invalid("gatewayId", "gatewayId is required");
        }
        for (var e : in.identities().entrySet()) {
            personalAssignment(in.gatewayId(), e.getKey(), "identities." + e.getKey());
            Object token = e.getValue() instanceof Map<?, ?> m ? m.get("token") : null;
            if (!(token instanceof String t) || t.isBlank() || t.length() > 8192) {
                throw ProblemException.invalid("identities." + e.getKey(), "give {token: \"...\"} (a non-empty string of at most 8192 characters)");
            }
            tokens.put(e.getKey(), t);
        }
        return tokens;
    }

    private void personalAssignment(String gatewayId, String serverId, String field) {
        boolean personal = catalog.snapshot().assignments(gatewayId).stream()
                .anyMatch(a -> a.serverId().equals(serverId) && a.identity() == IdentityScheme.PERSONAL);
        if (!personal) {
            throw ProblemException.invalid(field, "server '" + serverId + "' is not assigned to gateway '" + gatewayId
                    + "' with identity 'personal'; only personal servers take a connection's own credential");
        }
    }

    record TokenInput(String token) {
    }

    /** Gives (or replaces) an API-token connection's own credential for a personal server. */
    @PutMapping("/connections/{id}/identities/{serverId}")
    IdentityView putIdentity(@PathVariable String id, @PathVariable String serverId, @RequestBody TokenInput in) {
        Connection c = catalog.connection(id);
        if (c.userId() != null) {
            throw ProblemException.invalid("id", "this is an interactive connection: its user adds their credential by reconnecting");
        }
        personalAssignment(c.gatewayId(), serverId, "serverId");
        checked.require("token", serverId, in == null ? null : in.token());
        vault.storeConnectionToken(c.id(), serverId, in == null ? null : in.token());
        return identity(c, serverId);
    }

    /** Refreshes an upstream OAuth credential now (the answer says whether it worked). */
    @PostMapping("/connections/{id}/identities/{serverId}/refresh")
    IdentityView refreshIdentity(@PathVariable String id, @PathVariable String serverId) {
        Connection c = catalog.connection(id);
        refresh.refresh(c, serverId);
        return identity(c, serverId);
    }

    /** Revokes the credential: it is wiped, and calls to that server tell the person to reconnect. */
    @PostMapping("/connections/{id}/identities/{serverId}/revoke")
    IdentityView revokeIdentity(@PathVariable String id, @PathVariable String serverId) {
        Connection c = catalog.connection(id);
        vault.revoke(c, serverId);
        return identity(c, serverId);
    }

    private IdentityView identity(Connection c, String serverId) {
        return vault.states(c).stream().filter(s -> s.serverId().equals(serverId)).findFirst().map(IdentityView::of)
                .orElseThrow(() -> ProblemException.notFound("identity", serverId));
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
