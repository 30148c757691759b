package gatehouse.connect;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.UriUtils;

import gatehouse.authserver.ConnectionBinding;
import gatehouse.authserver.GatehouseClients;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.gateway.upstream.TokenCheck;
import gatehouse.identity.Directory;
import gatehouse.identity.IdentityVault;
import gatehouse.identity.UpstreamOAuth;
import gatehouse.platform.ProblemException;

/**
 * The connection wizard. Spring's authorization endpoint validates the client's request (client,
 * exact redirect URI, PKCE, resource), then redirects here with the {@code state} of the pending
 * authorization. Each step stores its outcome on that authorization (or in the identity vault) and
 * comes back to {@code GET /connect}, which shows the next step that is still missing: gateway,
 * then one credential per personal server, then the confirmation whose form posts to the
 * authorization endpoint. A gateway the person's teams do not hold is refused, never offered.
 */
@Controller
class ConnectController {
    private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);

    private final OAuth2AuthorizationService authorizations;
    private final GatehouseClients clients;
    private final ConnectionBinding binding;
    private final Directory directory;
    private final CatalogService catalog;
    private final IdentityVault vault;
    private final UpstreamOAuth upstreamOAuth;
    private final TokenCheck tokenCheck;
    private final String authorizeEndpoint;

    ConnectController(OAuth2AuthorizationService authorizations, GatehouseClients clients, ConnectionBinding binding,
                      Directory directory, CatalogService catalog, IdentityVault vault, UpstreamOAuth upstreamOAuth,
                      AuthorizationServerSettings settings, TokenCheck tokenCheck) {
        this.tokenCheck = tokenCheck;
        this.upstreamOAuth = upstreamOAuth;
        this.authorizations = authorizations;
        this.clients = clients;
        this.binding = binding;
        this.directory = directory;
        this.catalog = catalog;
        this.vault = vault;
        this.authorizeEndpoint = settings.getAuthorizationEndpoint();
    }

    /** The pending authorization behind a wizard page, if it exists and belongs to this person. */
    private Optional<Pending> pending(String state, Authentication auth) {
        if (state == null || state.isBlank()) {
            return Optional.empty();
        }
        OAuth2Authorization a = authorizations.findByToken(state, STATE);
        if (a == null || !a.getPrincipalName().equals(auth.getName())) {
            return Optional.empty();
        }
        RegisteredClient client = clients.findById(a.getRegisteredClientId());
        OAuth2AuthorizationRequest request = a.getAttribute(OAuth2AuthorizationRequest.class.getName());
        if (client == null || request == null) {
            return Optional.empty();
        }
        return Optional.of(new Pending(a, client, request, state));
    }

    record Pending(OAuth2Authorization authorization, RegisteredClient client, OAuth2AuthorizationRequest request, String state) {
        String redirectHost() {
            String r = request.getRedirectUri() != null ? request.getRedirectUri() : client.getRedirectUris().iterator().next();
            try {
                URI u = URI.create(r);
                return u.getHost() != null ? (u.getPort() > 0 ? u.getHost() + ":" + u.getPort() : u.getHost()) : u.getScheme() + ":";
            } catch (IllegalArgumentException e) {
                return r;
            }
        }
    }

    private void common(Model model, Pending p, Authentication auth) {
        model.addAttribute("state", p.state());
        model.addAttribute("clientId", p.client().getClientId());
        model.addAttribute("clientName", p.client().getClientName());
        model.addAttribute("redirectHost", p.redirectHost());
        model.addAttribute("scopes", p.request().getScopes());
        model.addAttribute("authorizeEndpoint", authorizeEndpoint);
        model.addAttribute("username", directory.user(auth.getName()).username());
    }

    @GetMapping("/connect")
    String next(@RequestParam(required = false) String state, Authentication auth, Model model) {
        Optional<Pending> found = pending(state, auth);
        if (found.isEmpty()) {
            return expired(model);
        }
        Pending p = found.get();
        common(model, p, auth);
        String userId = auth.getName();
        String gatewayId = p.authorization().getAttribute(ConnectionBinding.GATEWAY_ATTRIBUTE);
        if (gatewayId == null || !directory.snapshot().holds(userId, gatewayId)) {
            Optional<String> named = binding.requestedGateway(p.request());
            if (named.isPresent()) {
                if (!held(userId, named.get())) {
                    // Same answer whether or not the gateway exists: nothing is revealed.
                    model.addAttribute("message", "Your teams do not give you access to the gateway this client asked for. "
                            + "Ask an administrator to add one of your teams to it.");
                    return "connect/refused";
                }
                return choose(p, named.get());
            }
            List<GatewayDef> choices = heldGateways(userId);
            if (choices.isEmpty()) {
                model.addAttribute("message", "None of your teams holds a gateway yet, so there is nothing to connect to. "
                        + "Ask an administrator to add one of your teams to a gateway.");
                return "connect/refused";
            }
            if (choices.size() == 1) {
                return choose(p, choices.getFirst().id());
            }
            model.addAttribute("gateways", choices);
            return "connect/choose";
        }
        GatewayDef gateway = catalog.gateway(gatewayId);
        model.addAttribute("gateway", gateway);
        List<ServerDef> missing = vault.missingPersonal(userId, gatewayId);
        if (!missing.isEmpty()) {
            model.addAttribute("server", missing.getFirst());
            model.addAttribute("remaining", missing.size());
            model.addAttribute("oauth", upstreamOAuth.offersSignIn(missing.getFirst()));
            return "connect/identity";
        }
        model.addAttribute("servers", catalog.snapshot().assignments(gatewayId).stream()
                .map(a -> new ServerLine(catalog.snapshot().servers().get(a.serverId()).name(),
                        a.identity() == IdentityScheme.PERSONAL ? "your own credential" : "shared"))
                .toList());
        return "connect/confirm";
    }

    record ServerLine(String name, String identity) {
    }

    @PostMapping("/connect/gateway")
    String chooseGateway(@RequestParam String state, @RequestParam String gatewayId, Authentication auth, Model model) {
        Optional<Pending> found = pending(state, auth);
        if (found.isEmpty()) {
            return expired(model);
        }
        Optional<String> named = binding.requestedGateway(found.get().request());
        if (!held(auth.getName(), gatewayId) || named.isPresent() && !named.get().equals(gatewayId)) {
            common(model, found.get(), auth);
            model.addAttribute("message", "You cannot connect to that gateway.");
            return "connect/refused";
        }
        return choose(found.get(), gatewayId);
    }

    @PostMapping("/connect/identity")
    String identity(@RequestParam String state, @RequestParam String serverId, @RequestParam String token,
                    Authentication auth, Model model) {
        Optional<Pending> found = pending(state, auth);
        if (found.isEmpty()) {
            return expired(model);
        }
        String gatewayId = found.get().authorization().getAttribute(ConnectionBinding.GATEWAY_ATTRIBUTE);
        if (!personalIn(gatewayId, serverId)) {
            return "redirect:/connect?state=" + enc(state);
        }
        Optional<String> refused = tokenCheck.refusal(catalog.server(serverId), token);
        if (refused.isPresent()) {
            return identityError(found.get(), auth, model, gatewayId, serverId, refused.get(), upstreamOAuth.offersSignIn(catalog.server(serverId)));
        }
        try {
            vault.storePersonalToken(auth.getName(), serverId, token);
        } catch (ProblemException e) {
            common(model, found.get(), auth);
            model.addAttribute("gateway", catalog.gateway(gatewayId));
            model.addAttribute("server", catalog.server(serverId));
            model.addAttribute("remaining", vault.missingPersonal(auth.getName(), gatewayId).size());
            model.addAttribute("oauth", upstreamOAuth.offersSignIn(catalog.server(serverId)));
            model.addAttribute("error", e.getMessage());
            return "connect/identity";
        }
        return "redirect:/connect?state=" + enc(state);
    }

    /** Whether the server is assigned to the gateway with each person's own credential. */
    private boolean personalIn(String gatewayId, String serverId) {
        return gatewayId != null && catalog.snapshot().assignments(gatewayId).stream()
                .anyMatch(a -> a.serverId().equals(serverId) && a.identity() == IdentityScheme.PERSONAL);
    }

    /** Sends the browser to a personal server's own authorization page (Gatehouse is its OAuth client). */
    @GetMapping("/connect/upstream")
    String upstream(@RequestParam String state, @RequestParam String serverId, Authentication auth, Model model) {
        Optional<Pending> found = pending(state, auth);
        if (found.isEmpty()) {
            return expired(model);
        }
        String gatewayId = found.get().authorization().getAttribute(ConnectionBinding.GATEWAY_ATTRIBUTE);
        if (!personalIn(gatewayId, serverId)) {
            return "redirect:/connect?state=" + enc(state);
        }
        try {
            return "redirect:" + upstreamOAuth.begin(auth.getName(), catalog.server(serverId), state);
        } catch (RuntimeException e) {
            return identityError(found.get(), auth, model, gatewayId, serverId,
                    "Gatehouse could not start signing you in to this server: " + e.getMessage(), false);
        }
    }

    /** The upstream's authorization server sends the browser back here with a code. */
    @GetMapping(UpstreamOAuth.CALLBACK_PATH)
    String upstreamCallback(@RequestParam(required = false) String state, @RequestParam(required = false) String code,
                            @RequestParam(required = false) String error, @RequestParam(required = false) String iss,
                            Authentication auth, Model model) {
        UpstreamOAuth.Completed done;
        try {
            done = upstreamOAuth.complete(auth.getName(), state, code, error, iss);
        } catch (RuntimeException e) {
            model.addAttribute("message", "Signing in to the upstream server did not work: " + e.getMessage()
                    + ". Start again from your MCP client.");
            return "connect/refused";
        }
        if (done.wizardState() == null) {
            return "redirect:/connect/servers/" + enc(done.serverId()) + "?done=signed-in"; // a renewal outside a client's sign-in
        }
        return "redirect:/connect?state=" + enc(done.wizardState());
    }

    private String identityError(Pending p, Authentication auth, Model model, String gatewayId, String serverId, String error,
                                 boolean oauth) {
        common(model, p, auth);
        model.addAttribute("gateway", catalog.gateway(gatewayId));
        model.addAttribute("server", catalog.server(serverId));
        model.addAttribute("remaining", vault.missingPersonal(auth.getName(), gatewayId).size());
        model.addAttribute("oauth", oauth);
        model.addAttribute("error", error);
        return "connect/identity";
    }

    private String choose(Pending p, String gatewayId) {
        authorizations.save(OAuth2Authorization.from(p.authorization()).attribute(ConnectionBinding.GATEWAY_ATTRIBUTE, gatewayId).build());
        return "redirect:/connect?state=" + enc(p.state());
    }

    private boolean held(String userId, String gatewayId) {
        return directory.snapshot().holds(userId, gatewayId) && catalog.snapshot().gateways().containsKey(gatewayId);
    }

    private List<GatewayDef> heldGateways(String userId) {
        var ids = directory.snapshot().holdsEvery(userId) ? catalog.snapshot().gateways().keySet() : directory.snapshot().gatewaysOf(userId);
        return ids.stream().map(id -> catalog.snapshot().gateways().get(id))
                .filter(g -> g != null).sorted(Comparator.comparing(GatewayDef::name)).toList();
    }

    private static String expired(Model model) {
        model.addAttribute("message", "This sign-in request has expired or is not yours. Start again from your MCP client.");
        return "connect/refused";
    }

    private static String enc(String s) {
        return UriUtils.encodeQueryParam(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
