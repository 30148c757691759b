package gatehouse.connect;

import java.util.Optional;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.gateway.upstream.TokenCheck;
import gatehouse.identity.Credential;
import gatehouse.identity.Directory;
import gatehouse.identity.IdentityVault;
import gatehouse.identity.UpstreamOAuth;
import gatehouse.platform.ProblemException;

/**
 * The wizard page for exactly one server, outside a client's sign-in: where a person adds or renews
 * their own credential when it is missing, expired past refresh or refused by the upstream. Error
 * messages, the identities page and the consent step (a URL elicitation in the person's client)
 * link here; when the person is done the call that asked can go on. A server the person reaches
 * through no gateway of theirs with their own credential answers like a missing one.
 */
@Controller
class RenewController {
    private final CatalogService catalog;
    private final Directory directory;
    private final IdentityVault vault;
    private final UpstreamOAuth upstreamOAuth;
    private final TokenCheck tokenCheck;

    RenewController(CatalogService catalog, Directory directory, IdentityVault vault, UpstreamOAuth upstreamOAuth, TokenCheck tokenCheck) {
        this.catalog = catalog;
        this.directory = directory;
        this.vault = vault;
        this.upstreamOAuth = upstreamOAuth;
        this.tokenCheck = tokenCheck;
    }

    /** The server, when one of the person's gateways calls it with each person's own credential. */
    private Optional<ServerDef> personalServerOf(String userId, String serverId) {
        var snap = catalog.snapshot();
        ServerDef server = snap.servers().get(serverId);
        if (server == null) {
            return Optional.empty();
        }
        boolean reachable = directory.snapshot().gatewaysOf(userId).stream().anyMatch(gid -> snap.assignments(gid).stream()
                .anyMatch(a -> a.serverId().equals(serverId) && a.identity() == IdentityScheme.PERSONAL));
        return reachable ? Optional.of(server) : Optional.empty();
    }

    @GetMapping("/connect/servers/{serverId}")
    String page(@PathVariable String serverId, @RequestParam(required = false) String done, Authentication auth, Model model) {
        Optional<ServerDef> server = personalServerOf(auth.getName(), serverId);
        if (server.isEmpty()) {
            return missing(model);
        }
        return show(model, auth, server.get(), null, done != null);
    }

    @PostMapping("/connect/servers/{serverId}")
    String paste(@PathVariable String serverId, @RequestParam(required = false) String token, Authentication auth, Model model) {
        Optional<ServerDef> server = personalServerOf(auth.getName(), serverId);
        if (server.isEmpty()) {
            return missing(model);
        }
        Optional<String> refused = tokenCheck.refusal(server.get(), token);
        if (refused.isPresent()) {
            return show(model, auth, server.get(), refused.get(), false);
        }
        try {
            vault.storePersonalToken(auth.getName(), serverId, token);
        } catch (ProblemException e) {
            return show(model, auth, server.get(), e.getMessage(), false);
        }
        return "redirect:/connect/servers/" + serverId + "?done=saved";
    }

    /** Sends the browser to the server's own sign-in; its callback comes back to this page. */
    @GetMapping("/connect/servers/{serverId}/sign-in")
    String signIn(@PathVariable String serverId, Authentication auth, Model model) {
        Optional<ServerDef> server = personalServerOf(auth.getName(), serverId);
        if (server.isEmpty()) {
            return missing(model);
        }
        try {
            return "redirect:" + upstreamOAuth.begin(auth.getName(), server.get(), null);
        } catch (RuntimeException e) {
            return show(model, auth, server.get(), "Gatehouse could not start signing you in to this server: " + e.getMessage(), false);
        }
    }

    private String show(Model model, Authentication auth, ServerDef server, String error, boolean done) {
        Optional<Credential> current = vault.personal(auth.getName(), server.id());
        model.addAttribute("server", server);
        model.addAttribute("username", directory.user(auth.getName()).username());
        model.addAttribute("state", current.map(Credential::state).orElse("missing"));
        model.addAttribute("done", done && current.filter(c -> "ok".equals(c.state())).isPresent());
        model.addAttribute("oauth", !done && upstreamOAuth.offersSignIn(server));
        model.addAttribute("error", error);
        return "connect/renew";
    }

    private static String missing(Model model) {
        model.addAttribute("message", "There is no server here that needs your own credential.");
        return "connect/refused";
    }
}
