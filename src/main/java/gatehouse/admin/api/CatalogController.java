package gatehouse.admin.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.health.ServerHealth;
import gatehouse.catalog.health.ServerHealthBoard;
import gatehouse.catalog.features.FeatureSettings;
import gatehouse.catalog.features.ToolBudgets;
import gatehouse.catalog.features.ProvisioningSummary;
import gatehouse.gateway.upstream.ServerHealthChecks;
import gatehouse.identity.UpstreamClients;
import gatehouse.gateway.upstream.Upstreams;
import gatehouse.platform.GatehouseProperties;
import gatehouse.policy.limits.GatewayRateLimit;
import gatehouse.policy.limits.GatewayRateLimits;
import gatehouse.platform.ProblemException;
import tools.jackson.databind.JsonNode;

/** Servers, gateways and assignments. */
@RestController
@RequestMapping("/api/v1")
class CatalogController {
    static final String REDACTED = "<redacted>";

    private final CatalogService catalog;
    private final Upstreams upstreams;
    private final GatehouseProperties props;
    private final FeatureSettings featureSettings;
    private final gatehouse.identity.IdentityVault vault;
    private final AdminAccess access;
    private final ServerHealthBoard health;
    private final ServerHealthChecks healthChecks;
    private final Duration checkOnChangeWait;
    private final UpstreamClients clients;
    private final GatewayRateLimits rateLimits;

    private final CheckedTokens checked;

    CatalogController(CatalogService catalog, Upstreams upstreams, GatehouseProperties props, FeatureSettings featureSettings,
                      gatehouse.identity.IdentityVault vault, AdminAccess access, ServerHealthBoard health, ServerHealthChecks healthChecks,
                      @Value("${gatehouse.health.check-on-change-wait:3s}") Duration checkOnChangeWait, UpstreamClients clients,
                      GatewayRateLimits rateLimits, CheckedTokens checked) {
        this.rateLimits = rateLimits;
        this.checked = checked;
        this.clients = clients;
        this.health = health;
        this.healthChecks = healthChecks;
        this.checkOnChangeWait = checkOnChangeWait;
        this.vault = vault;
        this.access = access;
        this.catalog = catalog;
        this.upstreams = upstreams;
        this.props = props;
        this.featureSettings = featureSettings;
    }

    // --- servers

    record ServerView(String id, String name, String transport, List<String> command, Map<String, String> env, String url,
                      Map<String, String> headers, Instant createdAt, Instant updatedAt,
                      @JsonInclude(JsonInclude.Include.NON_NULL) HealthView health,
                      @JsonInclude(JsonInclude.Include.NON_NULL) UpstreamClients.OAuthView oauth,
                      @JsonInclude(JsonInclude.Include.NON_NULL) UpstreamClients.KeyHeader credentialHeader) {
        /** Without health: the definition alone (the administrative audit trail records this). */
        static ServerView of(ServerDef s) {
            return new ServerView(s.id(), s.name(), s.transport().wire(), ServerSecrets.command(s.command()), redact(s.env()),
                    ServerSecrets.url(s.url()), redact(s.headers()), s.createdAt(), s.updatedAt(), null, null, null);
        }

        /**
         * Header and environment values can be secrets: they are never sent back; nor is an OAuth
         * client's secret, a URL's query values and password, or secret-looking command arguments.
         */
        static ServerView of(ServerDef s, ServerHealth h, UpstreamClients clients) {
            return new ServerView(s.id(), s.name(), s.transport().wire(), ServerSecrets.command(s.command()), redact(s.env()),
                    ServerSecrets.url(s.url()), redact(s.headers()),
                    s.createdAt(), s.updatedAt(), HealthView.of(h), clients.oauthView(s.id()).orElse(null),
                    clients.configuredKeyHeader(s.id()).orElse(null));
        }
    }

    /** {@code {state: ok|starting|failing, reason?, since?, lastContactAt?}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record HealthView(String state, String reason, Instant since, Instant lastContactAt) {
        static HealthView of(ServerHealth h) {
            return new HealthView(h.state().wire(), h.reason(), h.since(), h.lastContactAt());
        }
    }

    private ServerView view(ServerDef s) {
        return ServerView.of(s, health.of(s.id()), clients);
    }

    /** A new or changed server is checked at once; its answer carries the result (never a refusal: it may come up later). */
    private ServerView checked(ServerDef s) {
        boolean assigned = catalog.snapshot().assignmentsByGateway().values().stream()
                .anyMatch(list -> list.stream().anyMatch(a -> a.serverId().equals(s.id())));
        return ServerView.of(s, healthChecks.checkNow(s, assigned, checkOnChangeWait), clients);
    }

    /** {@code oauth} and {@code credentialHeader}: how Gatehouse authenticates to the server, kept beside its definition. */
    private void credentialSettings(String serverId, ServerBody.Setting<UpstreamClients.OAuthClient> oauth,
                                    ServerBody.Setting<UpstreamClients.KeyHeader> header) {
        if (oauth.present()) {
            clients.setOAuth(serverId, oauth.value());
        }
        if (header.present()) {
            clients.setKeyHeader(serverId, header.value());
        }
    }

    static Map<String, String> redact(Map<String, String> map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.keySet().stream().sorted().forEach(k -> out.put(k, REDACTED));
        return out;
    }

    @PostMapping("/servers")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.Operation(summary = "Create a server", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @io.swagger.v3.oas.annotations.media.Content(
            mediaType = "application/json", schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = ServerRequestDoc.class))))
    ServerView createServer(@RequestBody(required = false) JsonNode in) {
        CatalogService.ServerInput input = ServerBody.parse(in, false);
        var oauth = ServerBody.oauth(in);
        var header = ServerBody.credentialHeader(in);
        ServerDef created = catalog.createServer(input);
        credentialSettings(created.id(), oauth, header);
        return checked(created);
    }

    @GetMapping("/servers")
    List<ServerView> servers() {
        return catalog.snapshot().servers().values().stream()
                .sorted((a, b) -> a.createdAt().compareTo(b.createdAt())).map(this::view).toList();
    }

    @GetMapping("/servers/{id}")
    ServerView server(@PathVariable String id) {
        return view(catalog.server(id));
    }

    @PatchMapping("/servers/{id}")
    @io.swagger.v3.oas.annotations.Operation(summary = "Change a server: absent fields stay as they are", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @io.swagger.v3.oas.annotations.media.Content(
            mediaType = "application/json", schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = ServerRequestDoc.class))))
    ServerView updateServer(@PathVariable String id, @RequestBody(required = false) JsonNode in) {
        CatalogService.ServerInput input = ServerSecrets.keepRedacted(ServerBody.parse(in, true), catalog.server(id));
        var oauth = ServerBody.oauth(in);
        var header = ServerBody.credentialHeader(in);
        ServerDef updated = catalog.updateServer(id, input); // a move to another origin wipes credentials, so settings come after
        credentialSettings(id, oauth, header);
        return checked(updated);
    }

    /** Replaces the server's pre-registered OAuth client ({@code null} body field removes it). */
    @PutMapping("/servers/{id}/oauth")
    ServerView putOAuth(@PathVariable String id, @RequestBody(required = false) JsonNode in) {
        catalog.server(id);
        if (in == null || in.isNull() || in.isMissingNode()) {
            throw ProblemException.invalid("oauth", "a body is required: {\"clientId\": \"…\", \"clientSecret\"?: \"…\", …}");
        }
        tools.jackson.databind.node.ObjectNode wrapped = gatehouse.platform.Json.object();
        wrapped.set("oauth", in);
        clients.setOAuth(id, ServerBody.oauth(wrapped).value());
        return view(catalog.server(id));
    }

    @DeleteMapping("/servers/{id}/oauth")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteOAuth(@PathVariable String id) {
        catalog.server(id);
        clients.setOAuth(id, null);
    }

    @DeleteMapping("/servers/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteServer(@PathVariable String id) {
        catalog.deleteServer(id);
    }

    /** The recent stderr of a stdio server (bounded), to see why it fails. */
    @GetMapping("/servers/{id}/stderr")
    Map<String, Object> stderr(@PathVariable String id) {
        catalog.server(id);
        return Map.of("lines", upstreams.stderr(id));
    }

    // --- gateways

    record GatewayInput(String name) {
    }

    record AssignmentView(String serverId, String serverName, String identity, String prefix, HealthView health) {
    }

    /**
     * A gateway; {@code warnings} carries the tool-budget warning when it has too many tools enabled;
     * {@code rateLimit} its own rate limits (null: the gatehouse.rate-limit.* settings apply).
     */
    record GatewayView(String id, String name, String url, List<AssignmentView> servers, Instant createdAt,
                       ProvisioningSummary.Settings provisioning, ToolBudgets.ToolBudget toolBudget,
                       List<ProvisioningSummary.Warning> warnings, RateLimitView rateLimit) {
    }

    @io.swagger.v3.oas.annotations.media.Schema(name = "GatewayRateLimit", description = "A gateway's own rate limits; they replace the"
            + " gatehouse.rate-limit.per-connection and per-user settings for this gateway. Over a limit a client gets HTTP 429 with"
            + " Retry-After and JSON-RPC error -32029.")
    record RateLimitView(
            @io.swagger.v3.oas.annotations.media.Schema(description = "requests per minute one connection may send; 0 = no limit",
                    minimum = "0", maximum = "1000000", example = "120") Integer perConnectionPerMinute,
            @io.swagger.v3.oas.annotations.media.Schema(description = "requests per minute one person may send over all their"
                    + " connections; 0 = no limit", minimum = "0", maximum = "1000000", example = "300") Integer perUserPerMinute,
            @io.swagger.v3.oas.annotations.media.Schema(description = "requests a quiet caller may send at once; 0 or absent = the"
                    + " per-minute number", minimum = "0", maximum = "1000000", example = "20") Integer burst) {
        static RateLimitView of(GatewayRateLimit l) {
            return l == null ? null : new RateLimitView(l.perConnectionPerMinute(), l.perUserPerMinute(), l.burst());
        }
    }

    @io.swagger.v3.oas.annotations.media.Schema(name = "GatewayPatch", description = "Every field is optional; what is absent stays as it is.")
    record GatewayPatchDoc(
            @io.swagger.v3.oas.annotations.media.Schema(description = "new unique name") String name,
            @io.swagger.v3.oas.annotations.media.Schema(description = "per kind (tools, prompts, resources, resourceTemplates):"
                    + " allow-all | allow-selected | block-all") Map<String, String> provisioning,
            Boolean autoApprove, Boolean approveOnAssign, Integer toolBudget,
            @io.swagger.v3.oas.annotations.media.Schema(description = "the gateway's own rate limits; null removes them",
                    nullable = true) RateLimitView rateLimit) {
    }

    /** {@code rateLimit} of a PATCH: an object of the three numbers (absent ones 0), or null to remove. */
    private static GatewayRateLimit rateLimit(JsonNode in) {
        if (in.isNull()) {
            return null;
        }
        if (!in.isObject()) {
            throw ProblemException.invalid("rateLimit", "rateLimit must be an object {perConnectionPerMinute, perUserPerMinute, burst} or null");
        }
        for (String f : in.propertyNames()) {
            if (!List.of("perConnectionPerMinute", "perUserPerMinute", "burst").contains(f)) {
                throw ProblemException.invalid("rateLimit." + f, "unknown field rateLimit." + f
                        + " (valid: perConnectionPerMinute, perUserPerMinute, burst)");
            }
        }
        int[] v = new int[3];
        String[] names = {"perConnectionPerMinute", "perUserPerMinute", "burst"};
        for (int i = 0; i < 3; i++) {
            JsonNode n = in.get(names[i]);
            if (n == null || n.isNull()) {
                continue;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0 || n.intValue() > GatewayRateLimit.MAX) {
                throw ProblemException.invalid("rateLimit." + names[i], "rateLimit." + names[i] + " must be a whole number between 0 and "
                        + GatewayRateLimit.MAX);
            }
            v[i] = n.intValue();
        }
        if (v[0] == 0 && v[1] == 0) {
            throw ProblemException.invalid("rateLimit", "rateLimit needs perConnectionPerMinute or perUserPerMinute above 0;"
                    + " send rateLimit: null to remove the gateway's own limits");
        }
        return new GatewayRateLimit(v[0], v[1], v[2]);
    }

    private GatewayView view(GatewayDef g) {
        CatalogSnapshot snap = catalog.snapshot();
        List<AssignmentView> servers = snap.assignments(g.id()).stream()
                .map(a -> new AssignmentView(a.serverId(), snap.servers().get(a.serverId()).name(), a.identity().wire(), a.prefix(),
                        HealthView.of(health.of(a.serverId()))))
                .toList();
        ProvisioningSummary p = featureSettings.summary(g.id());
        List<ProvisioningSummary.Warning> warnings = new java.util.ArrayList<>(p.warnings());
        for (AssignmentView a : servers) {
            if (a.health().state().equals(ServerHealth.State.FAILING.wire())) {
                warnings.add(new ProvisioningSummary.Warning(ServerHealthBoard.ALERT_TYPE,
                        "server '" + a.serverName() + "' is unreachable: " + a.health().reason()));
            }
        }
        return new GatewayView(g.id(), g.name(), props.publicUrlNoSlash() + "/gateway/v1/mcp?gateway=" + g.id(), servers, g.createdAt(),
                p.provisioning(), p.toolBudget(), warnings, RateLimitView.of(rateLimits.of(g.id()).orElse(null)));
    }

    @PostMapping("/gateways")
    @ResponseStatus(HttpStatus.CREATED)
    GatewayView createGateway(@RequestBody GatewayInput in) {
        return view(catalog.createGateway(in.name()));
    }

    /** Only the gateways the caller may see (a gateway administrator sees theirs). */
    @GetMapping("/gateways")
    List<GatewayView> gateways() {
        AdminCaller caller = AdminCaller.current();
        return catalog.snapshot().gateways().values().stream()
                .filter(g -> access.mayReadGateway(caller, g.id()))
                .sorted((a, b) -> a.createdAt().compareTo(b.createdAt())).map(this::view).toList();
    }

    @GetMapping("/gateways/{id}")
    GatewayView gateway(@PathVariable String id) {
        return view(catalog.gateway(id));
    }

    /**
     * {@code {name?, provisioning?: {tools?, prompts?, resources?, resourceTemplates?}, autoApprove?, approveOnAssign?, toolBudget?,
     * rateLimit?: {perConnectionPerMinute?, perUserPerMinute?, burst?} | null}}.
     */
    @PatchMapping("/gateways/{id}")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @io.swagger.v3.oas.annotations.media.Content(
            mediaType = "application/json", schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = GatewayPatchDoc.class)))
    GatewayView updateGateway(@PathVariable String id, @RequestBody JsonNode in) {
        catalog.gateway(id);
        GatewayRateLimit limit = in.has("rateLimit") ? rateLimit(in.get("rateLimit")) : null;
        FeatureSettings.SettingsChange provisioning = FeatureSettings.SettingsChange.from(in, false);
        if (in.has("name") || (provisioning.isEmpty() && !in.has("rateLimit"))) {
            catalog.renameGateway(id, in.path("name").asString(null));
        }
        if (!provisioning.isEmpty()) {
            featureSettings.updateSettings(id, provisioning);
        }
        if (in.has("rateLimit")) {
            rateLimits.set(id, limit);
        }
        return view(catalog.gateway(id));
    }

    @DeleteMapping("/gateways/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void deleteGateway(@PathVariable String id) {
        catalog.deleteGateway(id);
    }

    // --- assignments

    /** {@code token}: a shared identity (a static bearer token every connection presents); shared assignments only. */
    record AssignmentInput(String identity, String prefix, String token) {
    }

    @PutMapping("/gateways/{gid}/servers/{sid}")
    AssignmentView assign(@PathVariable String gid, @PathVariable String sid, @RequestBody(required = false) AssignmentInput in) {
        if (in == null) {
            throw ProblemException.invalid(null, "a body is required: {\"identity\": \"shared\"|\"personal\", \"prefix\"?: \"…\"}; "
                    + "an existing assignment keeps what the body does not name");
        }
        AssignmentInput input = in;
        if ("personal".equals(input.identity()) && input.token() != null) {
            throw ProblemException.invalid("token", "a personal assignment has no shared token: each user (or API-token connection) brings their own");
        }
        if (input.token() != null) {
            checked.require("token", catalog.server(sid).id(), input.token()); // before anything changes
        }
        Assignment a = catalog.assign(gid, sid, input.identity(), input.prefix(), upstreams);
        if (input.token() != null) {
            vault.storeShared(gid, sid, input.token());
        } else if (a.identity() == gatehouse.catalog.IdentityScheme.PERSONAL) {
            vault.storeShared(gid, sid, null);
        }
        return new AssignmentView(a.serverId(), catalog.server(sid).name(), a.identity().wire(), a.prefix(), HealthView.of(health.of(sid)));
    }

    record SharedIdentityInput(String token) {
    }

    /** Sets the shared identity of a shared assignment; the token is never answered back. */
    @PutMapping("/gateways/{gid}/servers/{sid}/identity")
    java.util.Map<String, Object> setSharedIdentity(@PathVariable String gid, @PathVariable String sid, @RequestBody SharedIdentityInput in) {
        Assignment a = assignment(gid, sid);
        if (a.identity() != gatehouse.catalog.IdentityScheme.SHARED) {
            throw ProblemException.invalid("identity", "this assignment is personal: each user (or API-token connection) brings their own credential");
        }
        checked.require("token", sid, in == null ? null : in.token());
        vault.storeShared(gid, sid, in == null ? null : in.token() == null ? "" : in.token());
        return java.util.Map.of("serverId", sid, "identity", "shared", "token", "set");
    }

    @DeleteMapping("/gateways/{gid}/servers/{sid}/identity")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void removeSharedIdentity(@PathVariable String gid, @PathVariable String sid) {
        assignment(gid, sid);
        vault.storeShared(gid, sid, null);
    }

    private Assignment assignment(String gid, String sid) {
        return catalog.snapshot().assignments(catalog.gateway(gid).id()).stream().filter(x -> x.serverId().equals(sid)).findFirst()
                .orElseThrow(() -> ProblemException.notFound("assignment", sid));
    }

    @GetMapping("/gateways/{gid}/servers")
    List<AssignmentView> assignments(@PathVariable String gid) {
        return view(catalog.gateway(gid)).servers();
    }

    @DeleteMapping("/gateways/{gid}/servers/{sid}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void unassign(@PathVariable String gid, @PathVariable String sid) {
        catalog.unassign(gid, sid);
    }
}
