package gatehouse.connect;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.Host;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.identity.Credential;
import gatehouse.identity.Directory;
import gatehouse.identity.CredentialRefresh;
import gatehouse.identity.IdentityVault;
import gatehouse.platform.ProblemException;

/**
 * The owner's page of their own upstream credentials ("identities"): for each of their interactive
 * connections, each personal server's state and expiry, never a secret, with plain forms to refresh
 * (OAuth credentials holding a refresh token) or revoke one. The same vault methods as the admin
 * API; anything that is not one of the person's own connections answers like a missing identity.
 */
@Controller
class IdentitiesController {
    private final CatalogService catalog;
    private final IdentityVault vault;
    private final CredentialRefresh refresh;
    private final Directory directory;

    IdentitiesController(CatalogService catalog, IdentityVault vault, Directory directory, CredentialRefresh refresh) {
        this.refresh = refresh;
        this.catalog = catalog;
        this.vault = vault;
        this.directory = directory;
    }

    record Row(String connectionId, String serverId, String serverName, String state, Instant expiresAt, String error,
               boolean refreshable) {
    }

    record ConnectionRows(String connectionId, String gatewayName, String clientName, Instant createdAt, List<Row> rows) {
    }

    @GetMapping("/connect/identities")
    String list(Authentication auth, Model model) {
        CatalogSnapshot snap = catalog.snapshot();
        Map<String, String> hostNames = catalog.hosts().stream().collect(Collectors.toMap(Host::id, Host::name, (a, b) -> a));
        List<ConnectionRows> connections = snap.connectionsById().values().stream()
                .filter(c -> auth.getName().equals(c.userId()))
                .sorted(Comparator.comparing(Connection::createdAt).thenComparing(Connection::id))
                .map(c -> {
                    GatewayDef g = snap.gateways().get(c.gatewayId());
                    List<Row> rows = vault.states(c).stream().map(s -> {
                        ServerDef server = snap.servers().get(s.serverId());
                        return new Row(c.id(), s.serverId(), server == null ? s.serverId() : server.name(), s.state(), s.expiresAt(),
                                s.error(), refresh.refreshable(c, s.serverId()));
                    }).toList();
                    return new ConnectionRows(c.id(), g == null ? c.gatewayId() : g.name(), hostNames.getOrDefault(c.hostId(), c.hostId()),
                            c.createdAt(), rows);
                })
                .filter(c -> !c.rows().isEmpty())
                .toList();
        model.addAttribute("connections", connections);
        model.addAttribute("username", directory.user(auth.getName()).username());
        return "connect/identities";
    }

    @PostMapping("/connect/identities/{connectionId}/{serverId}/refresh")
    String refresh(@PathVariable String connectionId, @PathVariable String serverId, Authentication auth, RedirectAttributes flash) {
        Connection c = own(connectionId, serverId, auth);
        String name = serverName(serverId);
        try {
            Credential cr = refresh.refresh(c, serverId);
            if ("ok".equals(cr.state())) {
                flash.addFlashAttribute("info", "Refreshed your credential for '" + name + "'; "
                        + (cr.expiresAt() == null ? "it does not expire." : "expires at " + cr.expiresAt() + "."));
            } else {
                flash.addFlashAttribute("error", "Refreshing your credential for '" + name + "' failed: "
                        + (cr.error() == null ? cr.state() : cr.error()) + ". Reconnect from your MCP client to sign in again.");
            }
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw e;
            }
            flash.addFlashAttribute("error", "Refreshing your credential for '" + name + "' failed: " + e.getMessage() + ".");
        }
        return "redirect:/connect/identities";
    }

    @PostMapping("/connect/identities/{connectionId}/{serverId}/revoke")
    String revoke(@PathVariable String connectionId, @PathVariable String serverId, Authentication auth, RedirectAttributes flash) {
        Connection c = own(connectionId, serverId, auth);
        vault.revoke(c, serverId, "revoked by its owner");
        flash.addFlashAttribute("info", "Revoked your credential for '" + serverName(serverId)
                + "'. Calls to it now fail until you reconnect from your MCP client and add a new one.");
        return "redirect:/connect/identities";
    }

    /** The person's own connection with a personal credential for this server; otherwise exactly a missing identity. */
    private Connection own(String connectionId, String serverId, Authentication auth) {
        CatalogSnapshot snap = catalog.snapshot();
        Connection c = snap.connectionsById().get(connectionId);
        boolean personal = c != null && snap.assignments(c.gatewayId()).stream()
                .anyMatch(a -> a.serverId().equals(serverId) && a.identity() == IdentityScheme.PERSONAL);
        if (c == null || !auth.getName().equals(c.userId()) || !personal) {
            throw ProblemException.notFound("identity", serverId);
        }
        vault.ofConnection(c, serverId); // 404 when there is none
        return c;
    }

    private String serverName(String serverId) {
        ServerDef s = catalog.snapshot().servers().get(serverId);
        return s == null ? serverId : s.name();
    }
}
