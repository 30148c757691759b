package gatehouse.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.audit.LogQuery;
import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.Host;
import gatehouse.catalog.IdentityScheme;
import gatehouse.identity.Credential;
import gatehouse.identity.CredentialRefresh;
import gatehouse.identity.IdentityVault;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;

/**
 * Identities: every connection's own credential for each personal server, across the gateways the
 * person may manage connections of: its state (ok, expired, refresh-failed, rejected, revoked,
 * missing), whose it is, when it was stored or last refreshed and last used, and what can be done:
 * refresh an OAuth credential now, revoke it, or send the person the page where they renew it.
 * Reads and changes go through {@link IdentityVault}'s public methods only.
 */
@Controller("consoleIdentitiesController")
class IdentitiesController {
    static final List<String> STATES = List.of("ok", "expired", "refresh-failed", "rejected", "revoked", "missing");

    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final CatalogService catalog;
    private final IdentityVault vault;
    private final CredentialRefresh refresh;
    private final LogQuery logs;

    IdentitiesController(ConsoleAccess access, ConsoleAudit audit, CatalogService catalog, IdentityVault vault, LogQuery logs, CredentialRefresh refresh) {
        this.refresh = refresh;
        this.access = access;
        this.audit = audit;
        this.catalog = catalog;
        this.vault = vault;
        this.logs = logs;
    }

    /** One connection × personal server. {@code renewUrl} only for a person's connection: they renew it themselves. */
    record IdentityRow(String gatewayId, String gatewayName, String connectionId, String who, String client, String serverId,
                       String serverName, String state, String kind, Instant expiresAt, Instant updatedAt, String lastUsed, String error,
                       boolean refreshable, boolean revocable, String renewUrl) {
        /** Whom the row is about, in words: the person, else the agent, else the connection's id. */
        public String label() {
            return who != null ? who : client != null ? client : connectionId;
        }
    }

    @GetMapping("/console/identities")
    String list(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam(required = false) String gateway,
                @RequestParam(required = false) String state, Model model) {
        if (!access.maySomewhere(viewer, Permission.CONNECTION_MANAGE)) {
            throw ProblemException.notFound("page", "/console/identities");
        }
        String gw = gateway == null || gateway.isBlank() ? null : gateway;
        String st = state == null || state.isBlank() ? null : state;
        CatalogSnapshot snap = catalog.snapshot();
        List<GatewayDef> gateways = access.visibleGateways(viewer).stream()
                .filter(g -> access.may(viewer, Permission.CONNECTION_MANAGE, g.id())).toList();
        Map<String, Host> hosts = catalog.hosts().stream().collect(java.util.stream.Collectors.toMap(Host::id, h -> h, (a, b) -> a));
        Instant now = Instant.now();
        List<IdentityRow> rows = new ArrayList<>();
        for (GatewayDef g : gateways) {
            if (gw != null && !gw.equals(g.id())) {
                continue;
            }
            List<Assignment> personal = snap.assignments(g.id()).stream().filter(a -> a.identity() == IdentityScheme.PERSONAL).toList();
            if (personal.isEmpty()) {
                continue;
            }
            List<Connection> connections = snap.connectionsById().values().stream().filter(c -> c.gatewayId().equals(g.id()))
                    .sorted(Comparator.comparing(Connection::createdAt)).toList();
            for (Connection c : connections) {
                for (Assignment a : personal) {
                    IdentityRow row = row(snap, hosts, g, c, a.serverId(), now);
                    if (st == null || st.equals(row.state())) {
                        rows.add(row);
                    }
                }
            }
        }
        model.addAttribute("identities", rows);
        model.addAttribute("gateways", gateways);
        model.addAttribute("states", STATES);
        model.addAttribute("gateway", gw);
        model.addAttribute("state", st);
        model.addAttribute("anyPersonal", gateways.stream().anyMatch(g -> snap.assignments(g.id()).stream()
                .anyMatch(a -> a.identity() == IdentityScheme.PERSONAL)));
        return "console/identities";
    }

    private IdentityRow row(CatalogSnapshot snap, Map<String, Host> hosts, GatewayDef g, Connection c, String serverId, Instant now) {
        Optional<Credential> cr;
        try {
            cr = Optional.of(vault.ofConnection(c, serverId));
        } catch (ProblemException missing) {
            cr = Optional.empty();
        }
        String state = cr.map(Credential::state).orElse("missing");
        if ("ok".equals(state) && cr.get().expiresAt() != null && cr.get().expiresAt().isBefore(now)) {
            state = "expired";
        }
        String who = c.userId() == null ? null : nameOf(c.userId());
        Host host = c.hostId() == null ? null : hosts.get(c.hostId());
        List<Map<String, Object>> last = logs.find(new LogQuery.Filter(null, c.id(), null, serverId, null, null, null, 1));
        boolean refreshable = cr.isPresent() && refresh.refreshable(c, serverId);
        boolean revocable = cr.isPresent() && !"revoked".equals(state);
        String server = snap.servers().containsKey(serverId) ? snap.servers().get(serverId).name() : serverId;
        return new IdentityRow(g.id(), g.name(), c.id(), who, host == null ? null : host.name(), serverId, server, state,
                cr.map(Credential::kind).orElse(null), cr.map(Credential::expiresAt).orElse(null), cr.map(Credential::updatedAt).orElse(null),
                last.isEmpty() ? null : (String) last.getFirst().get("time"), cr.map(Credential::error).orElse(null), refreshable, revocable,
                c.userId() == null ? null : vault.renewUrl(serverId));
    }

    private String nameOf(String userId) {
        try {
            return access.username(userId);
        } catch (RuntimeException e) {
            return userId;
        }
    }

    /** Refreshes an OAuth credential now; the page says whether the upstream's authorization server accepted it. */
    @PostMapping("/console/identities/{cid}/{sid}/refresh")
    String refresh(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String cid, @PathVariable String sid,
                   RedirectAttributes flash, jakarta.servlet.http.HttpServletRequest req) {
        Connection c = manageable(viewer, cid);
        Credential after = refresh.refresh(c, sid);
        audit.record(viewer, "POST /connections/{}/identities/{}/refresh", "/connections/" + cid + "/identities/" + sid, null, after.state());
        if ("ok".equals(after.state())) {
            flash.addFlashAttribute("info", "Credential refreshed" + (after.expiresAt() == null ? "." : "; valid until " + after.expiresAt() + "."));
        } else {
            flash.addFlashAttribute("error", "The refresh failed (" + after.state() + (after.error() == null ? "" : ": " + after.error())
                    + "). The person must renew it.");
        }
        return "redirect:" + ConsolePages.backTo(req);
    }

    /** Revokes the credential: calls to that server tell the person to reconnect. */
    @PostMapping("/console/identities/{cid}/{sid}/revoke")
    String revoke(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String cid, @PathVariable String sid,
                  RedirectAttributes flash, jakarta.servlet.http.HttpServletRequest req) {
        Connection c = manageable(viewer, cid);
        vault.revoke(c, sid, "revoked by " + viewer.username() + " in the console");
        audit.record(viewer, "POST /connections/{}/identities/{}/revoke", "/connections/" + cid + "/identities/" + sid, null, "revoked");
        flash.addFlashAttribute("info", "Credential revoked.");
        return "redirect:" + ConsolePages.backTo(req);
    }

    /** The connection, if the person may manage its gateway's connections; else "not found", as a missing one. */
    private Connection manageable(ConsoleAccess.Viewer viewer, String cid) {
        Connection c = catalog.snapshot().connectionsById().get(cid);
        if (c == null || !access.may(viewer, Permission.GATEWAY_READ, c.gatewayId()) || !access.may(viewer, Permission.CONNECTION_MANAGE, c.gatewayId())) {
            throw ProblemException.notFound("connection", cid);
        }
        return c;
    }
}
