package gatehouse.console;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import gatehouse.admin.tokens.AdminToken;
import gatehouse.admin.tokens.AdminTokens;
import gatehouse.alerts.AlertChannel;
import gatehouse.alerts.AlertChannels;
import gatehouse.platform.GatehouseProperties;
import gatehouse.platform.ProblemException;
import gatehouse.policy.access.Permission;
import gatehouse.scim.ScimTokens;
import gatehouse.sso.SsoProvider;
import gatehouse.sso.SsoProviders;
import gatehouse.telemetry.TelemetrySettings;
import gatehouse.telemetry.Tracing;

/**
 * Settings: SSO providers, SCIM and admin tokens, alert channels (with a test send) and what
 * telemetry export is configured, over the same services as the admin API and with the same
 * permissions (alert channels: {@code alert.manage}; everything else: {@code admin}). A section the
 * person may not use answers exactly like a missing page. Secrets go in and never come back out:
 * client secrets, webhook URLs and SMTP passwords are not shown, a new token is shown once on the
 * answer to the form that made it (not cached), and lists show only names and dates.
 */
@Controller("consoleSettingsController")
class SettingsController {
    private final ConsoleAccess access;
    private final ConsoleAudit audit;
    private final SsoProviders sso;
    private final ScimTokens scimTokens;
    private final AdminTokens adminTokens;
    private final AlertChannels channels;
    private final Tracing tracing;
    private final Environment env;
    private final GatehouseProperties props;
    private final TelemetrySettings telemetry;

    SettingsController(ConsoleAccess access, ConsoleAudit audit, SsoProviders sso, ScimTokens scimTokens, AdminTokens adminTokens,
                       AlertChannels channels, Tracing tracing, Environment env, GatehouseProperties props,
                       TelemetrySettings telemetry) {
        this.telemetry = telemetry;
        this.props = props;
        this.access = access;
        this.audit = audit;
        this.sso = sso;
        this.scimTokens = scimTokens;
        this.adminTokens = adminTokens;
        this.channels = channels;
        this.tracing = tracing;
        this.env = env;
    }

    /** Which sections the person may open; the tabs show only these. */
    record Sections(boolean sso, boolean tokens, boolean alerts, boolean telemetry) {
        boolean any() {
            return sso || tokens || alerts || telemetry;
        }
    }

    Sections sections(ConsoleAccess.Viewer v) {
        boolean admin = access.mayGlobally(v, Permission.ADMIN);
        return new Sections(admin, admin, access.mayGlobally(v, Permission.ALERT_MANAGE), admin);
    }

    /** The section's page, or "not found" word for word as a page that does not exist. */
    private void require(ConsoleAccess.Viewer v, Permission p, String section) {
        if (!access.mayGlobally(v, p)) {
            throw ProblemException.notFound("page", "/console/settings/" + section);
        }
    }

    private void page(ConsoleAccess.Viewer v, String tab, Model model) {
        model.addAttribute("tab", tab);
        model.addAttribute("sections", sections(v));
    }

    @GetMapping({"/console/settings", "/console/settings/"})
    String start(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer) {
        Sections s = sections(viewer);
        if (s.sso()) {
            return "redirect:/console/settings/sso";
        }
        if (s.alerts()) {
            return "redirect:/console/settings/alert-channels";
        }
        throw ProblemException.notFound("page", "/console/settings");
    }

    // --- SSO providers

    record ProviderRow(SsoProvider provider, String redirectUri, String signInUrl) {
    }

    @GetMapping("/console/settings/sso")
    String ssoPage(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, Model model) {
        require(viewer, Permission.ADMIN, "sso");
        page(viewer, "sso", model);
        model.addAttribute("providers", sso.list().stream()
                .map(p -> new ProviderRow(p, sso.redirectUri(p.name()), "/oauth2/authorization/" + p.name())).toList());
        model.addAttribute("redirectBase", sso.redirectUri(""));
        return "console/settings-sso";
    }

    @PostMapping("/console/settings/sso")
    String addProvider(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String name, @RequestParam String issuer,
                       @RequestParam String clientId, @RequestParam String clientSecret,
                       @RequestParam(required = false) String emailDomains, @RequestParam(required = false) String groupsClaim,
                       RedirectAttributes flash) {
        require(viewer, Permission.ADMIN, "sso");
        SsoProvider p = sso.create(new SsoProviders.Input(name.strip(), issuer.strip(), clientId.strip(), clientSecret, words(emailDomains),
                groupsClaim));
        audit.record(viewer, "POST /sso-providers", "/sso-providers/" + p.id(), null, p);
        flash.addFlashAttribute("info", "SSO provider '" + p.name() + "' added. Register " + sso.redirectUri(p.name())
                + " as the redirect URI at the provider.");
        return "redirect:/console/settings/sso";
    }

    @PostMapping("/console/settings/sso/{id}/delete")
    String removeProvider(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String id, RedirectAttributes flash) {
        require(viewer, Permission.ADMIN, "sso");
        SsoProvider p = sso.get(id);
        sso.delete(id);
        audit.record(viewer, "DELETE /sso-providers/{}", "/sso-providers/" + id, p, null);
        flash.addFlashAttribute("info", "SSO provider '" + p.name() + "' removed.");
        return "redirect:/console/settings/sso";
    }

    // --- SCIM and admin tokens

    /** A token as lists show it: never its secret or hash. */
    record TokenRow(String id, String name, String kind, boolean active, boolean bootstrap, String actsAs, Instant createdAt,
                    Instant lastUsedAt, Instant revokedAt) {
    }

    @GetMapping("/console/settings/tokens")
    String tokensPage(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, Model model) {
        require(viewer, Permission.ADMIN, "tokens");
        page(viewer, "tokens", model);
        model.addAttribute("scimTokens", scimTokens.list().stream()
                .map(t -> new TokenRow(t.id(), t.name(), "scim", true, false, null, t.createdAt(), t.lastUsedAt(), null)).toList());
        model.addAttribute("adminTokens", adminTokens.list().stream().map(this::adminRow).toList());
        return "console/settings-tokens";
    }

    private TokenRow adminRow(AdminToken t) {
        String actsAs = null;
        if (t.userId() != null) {
            try {
                actsAs = access.username(t.userId());
            } catch (RuntimeException e) {
                actsAs = t.userId();
            }
        }
        return new TokenRow(t.id(), t.name(), "admin", t.active(), t.bootstrap(), actsAs, t.createdAt(), t.lastUsedAt(), t.revokedAt());
    }

    @PostMapping("/console/settings/tokens/scim")
    String createScim(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String name, HttpServletResponse resp, Model model) {
        require(viewer, Permission.ADMIN, "tokens");
        ScimTokens.Created c = scimTokens.create(name);
        audit.record(viewer, "POST /scim-tokens", "/scim-tokens/" + c.token().id(), null, Map.of("id", c.token().id(), "name", c.token().name()));
        return issued(viewer, "SCIM token", c.token().name(), c.secret(),
                "Give it to your identity provider's SCIM client as the bearer token, with the base URL below.", resp, model);
    }

    @PostMapping("/console/settings/tokens/scim/{id}/revoke")
    String revokeScim(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String id, RedirectAttributes flash) {
        require(viewer, Permission.ADMIN, "tokens");
        ScimTokens.ScimToken t = scimTokens.get(id);
        scimTokens.revoke(id);
        audit.record(viewer, "DELETE /scim-tokens/{}", "/scim-tokens/" + id, Map.of("id", id, "name", t.name()), null);
        flash.addFlashAttribute("info", "SCIM token '" + t.name() + "' revoked: provisioning with it stops now.");
        return "redirect:/console/settings/tokens";
    }

    @PostMapping("/console/settings/tokens/admin")
    String createAdmin(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String name, HttpServletResponse resp,
                       Model model) {
        require(viewer, Permission.ADMIN, "tokens");
        AdminTokens.Created c = adminTokens.create(name, null);
        audit.record(viewer, "POST /admin-tokens", "/admin-tokens/" + c.token().id(), null, Map.of("id", c.token().id(), "name", c.token().name()));
        return issued(viewer, "admin token", c.token().name(), c.secret(), "Send it as Authorization: Bearer <token> to /api/v1.", resp, model);
    }

    /** A new secret under the same name (and the same user, for a person's token); the old one is revoked at once. */
    @PostMapping("/console/settings/tokens/admin/{id}/rotate")
    String rotateAdmin(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String id, HttpServletResponse resp, Model model) {
        require(viewer, Permission.ADMIN, "tokens");
        AdminToken old = adminTokens.get(id).orElseThrow(() -> ProblemException.notFound("admin token", id));
        if (!old.active()) {
            throw ProblemException.invalid("id", "'" + old.name() + "' is revoked already; create a new token instead");
        }
        AdminTokens.Created c = adminTokens.create(old.name(), old.userId());
        adminTokens.revoke(id);
        audit.record(viewer, "POST /admin-tokens/{}/rotate", "/admin-tokens/" + id, Map.of("id", id, "name", old.name()),
                Map.of("id", c.token().id(), "name", c.token().name()));
        return issued(viewer, "admin token", c.token().name(), c.secret(),
                "The old token stopped working now. Send this one as Authorization: Bearer <token> to /api/v1.", resp, model);
    }

    @PostMapping("/console/settings/tokens/admin/{id}/revoke")
    String revokeAdmin(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String id, RedirectAttributes flash) {
        require(viewer, Permission.ADMIN, "tokens");
        AdminToken t = adminTokens.revoke(id);
        audit.record(viewer, "DELETE /admin-tokens/{}", "/admin-tokens/" + id, Map.of("id", id, "name", t.name()), "revoked");
        flash.addFlashAttribute("info", "Admin token '" + t.name() + "' revoked.");
        return "redirect:/console/settings/tokens";
    }

    private String issued(ConsoleAccess.Viewer viewer, String kind, String name, String secret, String how, HttpServletResponse resp,
                          Model model) {
        resp.setHeader("Cache-Control", "no-store");
        page(viewer, "tokens", model);
        model.addAttribute("kind", kind);
        model.addAttribute("name", name);
        model.addAttribute("token", secret);
        model.addAttribute("how", how);
        model.addAttribute("scimUrl", kind.startsWith("SCIM") ? props.publicUrlNoSlash() + "/scim/v2" : null);
        return "console/settings-token-issued";
    }

    // --- alert channels

    @GetMapping("/console/settings/alert-channels")
    String channelsPage(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, Model model) {
        require(viewer, Permission.ALERT_MANAGE, "alert-channels");
        page(viewer, "alerts", model);
        model.addAttribute("channels", channels.list());
        model.addAttribute("types", AlertChannel.TYPES);
        return "console/settings-alert-channels";
    }

    @PostMapping("/console/settings/alert-channels")
    String addChannel(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String name, @RequestParam String type,
                      @RequestParam(required = false) String url, @RequestParam(required = false) String smtpHost,
                      @RequestParam(required = false) Integer smtpPort, @RequestParam(required = false) String smtpFrom,
                      @RequestParam(required = false) String smtpTo, @RequestParam(required = false) String smtpUsername,
                      @RequestParam(required = false) String smtpPassword, @RequestParam(defaultValue = "false") boolean smtpStartTls,
                      @RequestParam(required = false) String alertTypes, RedirectAttributes flash) {
        require(viewer, Permission.ALERT_MANAGE, "alert-channels");
        AlertChannel.Smtp smtp = "smtp".equals(type)
                ? new AlertChannel.Smtp(blankToNull(smtpHost), smtpPort, blankToNull(smtpFrom), words(smtpTo), blankToNull(smtpUsername),
                blankToNull(smtpPassword), smtpStartTls)
                : null;
        AlertChannel c = channels.create(new AlertChannels.Input(name.strip(), type, "smtp".equals(type) ? null : blankToNull(url), smtp,
                words(alertTypes)));
        audit.record(viewer, "POST /alert-channels", "/alert-channels/" + c.id(), null, c);
        flash.addFlashAttribute("info", "Alert channel '" + c.name() + "' added. Send it a test alert to check that it works.");
        return "redirect:/console/settings/alert-channels";
    }

    @PostMapping("/console/settings/alert-channels/{id}/delete")
    String deleteChannel(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String id, RedirectAttributes flash) {
        require(viewer, Permission.ALERT_MANAGE, "alert-channels");
        AlertChannel c = channels.get(id);
        channels.delete(id);
        audit.record(viewer, "DELETE /alert-channels/{}", "/alert-channels/" + id, c, null);
        flash.addFlashAttribute("info", "Alert channel '" + c.name() + "' deleted.");
        return "redirect:/console/settings/alert-channels";
    }

    /** What a test send did, for the page: the channel's name with the result. */
    record TestShown(String channelId, String channelName, boolean delivered, Integer status, String error) {
    }

    @PostMapping("/console/settings/alert-channels/{id}/test")
    String testChannel(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @PathVariable String id, RedirectAttributes flash) {
        require(viewer, Permission.ALERT_MANAGE, "alert-channels");
        AlertChannel c = channels.get(id);
        AlertChannels.TestResult r = channels.sendTest(id, "console:" + viewer.username());
        audit.record(viewer, "POST /alert-channels/{}/test", "/alert-channels/" + id, null, r);
        flash.addFlashAttribute("testResult", new TestShown(id, c.name(), r.delivered(), r.status(), r.error()));
        return "redirect:/console/settings/alert-channels";
    }

    // --- telemetry: the OTEL_* settings of the environment, and those set here (the admin API's), which replace them

    record Setting(String name, String value) {
    }

    @GetMapping("/console/settings/telemetry")
    String telemetryPage(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, Model model) {
        require(viewer, Permission.ADMIN, "telemetry");
        page(viewer, "telemetry", model);
        model.addAttribute("exporting", tracing.on());
        model.addAttribute("telemetry", telemetry.view());
        List<Setting> settings = new ArrayList<>();
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("otel.exporter.otlp.endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT");
        keys.put("otel.exporter.otlp.traces.endpoint", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        keys.put("otel.exporter.otlp.logs.endpoint", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
        keys.put("otel.exporter.otlp.protocol", "OTEL_EXPORTER_OTLP_PROTOCOL");
        keys.put("otel.service.name", "OTEL_SERVICE_NAME");
        keys.put("otel.traces.sampler", "OTEL_TRACES_SAMPLER");
        keys.put("otel.sdk.disabled", "OTEL_SDK_DISABLED");
        for (var e : keys.entrySet()) {
            String v = env.getProperty(e.getKey());
            settings.add(new Setting(e.getValue(), v == null || v.isBlank() ? null : e.getKey().endsWith("endpoint") ? withoutCredentials(v) : v));
        }
        String headers = env.getProperty("otel.exporter.otlp.headers");
        settings.add(new Setting("OTEL_EXPORTER_OTLP_HEADERS", headers == null || headers.isBlank() ? null : "set (not shown: it may hold a key)"));
        model.addAttribute("settings", settings);
        return "console/settings-telemetry";
    }

    /** Sets the export here; it replaces the environment's settings until removed. A header is one "Name: value" line. */
    @PostMapping("/console/settings/telemetry")
    String setTelemetry(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, @RequestParam String endpoint,
                        @RequestParam(defaultValue = "http/protobuf") String protocol, @RequestParam(required = false) String header,
                        @RequestParam(required = false) String serviceName, RedirectAttributes flash) {
        require(viewer, Permission.ADMIN, "telemetry");
        Map<String, String> headers = new LinkedHashMap<>();
        if (header != null && !header.isBlank()) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw ProblemException.invalid("headers", "a header is written 'Name: value', e.g. 'Authorization: Bearer …'");
            }
            headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        TelemetrySettings.View before = telemetry.view();
        TelemetrySettings.View after = telemetry.put(new TelemetrySettings.Input(endpoint, protocol,
                headers.isEmpty() ? null : headers, blankToNull(serviceName)));
        audit.record(viewer, "PUT /telemetry", "/telemetry", before, after);
        flash.addFlashAttribute("info", "OpenTelemetry export now goes to " + withoutCredentials(after.endpoint()) + ".");
        return "redirect:/console/settings/telemetry";
    }

    @PostMapping("/console/settings/telemetry/delete")
    String clearTelemetry(@ModelAttribute("viewer") ConsoleAccess.Viewer viewer, RedirectAttributes flash) {
        require(viewer, Permission.ADMIN, "telemetry");
        TelemetrySettings.View before = telemetry.view();
        TelemetrySettings.View after = telemetry.clear();
        audit.record(viewer, "DELETE /telemetry", "/telemetry", before, after);
        flash.addFlashAttribute("info", "The settings made here are removed; the environment's apply (" + after.source() + ").");
        return "redirect:/console/settings/telemetry";
    }

    /** An endpoint as it may be shown: scheme, host, port and path; never user info or a query. */
    static String withoutCredentials(String endpoint) {
        try {
            URI u = URI.create(endpoint.strip());
            if (u.getScheme() == null || u.getHost() == null) {
                return "(not a URL)";
            }
            return u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + (u.getRawPath() == null ? "" : u.getRawPath());
        } catch (IllegalArgumentException e) {
            return "(not a URL)";
        }
    }

    private static List<String> words(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.stream(text.split("[,\\s]+")).filter(w -> !w.isBlank()).toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
