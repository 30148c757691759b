package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import gatehouse.testing.AdminClient;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import tools.jackson.databind.JsonNode;

/**
 * The Settings pages over real HTTP: SSO providers against a real OpenID provider (mock-oauth2-server),
 * SCIM and admin tokens shown once and then working (or not, once revoked or rotated) against the real
 * endpoints, alert channels with a test send to a real loopback webhook receiver; who may see what,
 * a section one may not use answering like a missing page, CSRF refusals.
 */
class SettingsPageTest extends ConsoleWorld {
    private static final Pattern ISSUED = Pattern.compile("id=\"issued-token\"[^>]*>([^<]+)<");
    private final List<AutoCloseable> closeLater = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    private static String issued(ConsoleSession.Page page) {
        Matcher m = ISSUED.matcher(page.body());
        assertThat(m.find()).as("a token on the page").isTrue();
        return m.group(1).strip();
    }

    @Test
    void scimAndAdminTokensAreShownOnceAndWork() {
        ConsoleSession owner = person("role_owner", null);
        assertThat(path(owner.get("/console/settings"))).isEqualTo("/console/settings/sso");
        assertThat(owner.get("/console/gateways").body()).contains("/console/settings\"");

        // a SCIM token: shown once (not cached), then it provisions; the list shows no secret
        String scimName = unique("okta");
        ConsoleSession.Page scim = owner.post("/console/settings/tokens", "/console/settings/tokens/scim", Map.of("name", scimName));
        assertThat(scim.status()).isEqualTo(200);
        String scimSecret = issued(scim);
        assertThat(scimSecret).startsWith("ghs_");
        assertThat(scim.body()).contains("/scim/v2");
        AdminClient scimClient = new AdminClient(base(), scimSecret);
        assertThat(scimClient.raw("GET", "/scim/v2/Users", null).status()).isEqualTo(200);
        ConsoleSession.Page list = owner.get("/console/settings/tokens");
        assertThat(list.body()).contains(scimName).doesNotContain(scimSecret);
        String scimId = null;
        for (JsonNode t : admin.expect(200, "GET", "/scim-tokens", null)) {
            if (t.path("name").asString().equals(scimName)) {
                scimId = t.path("id").asString();
            }
        }
        assertThat(list.body()).contains("data-token-id=\"" + scimId + "\"");
        owner.post("/console/settings/tokens", "/console/settings/tokens/scim/" + scimId + "/revoke", Map.of());
        assertThat(scimClient.raw("GET", "/scim/v2/Users", null).status()).isEqualTo(401);

        // an admin token: made, used, rotated (the old one stops, the new one works), revoked
        String adminName = unique("ci-deploy");
        String first = issued(owner.post("/console/settings/tokens", "/console/settings/tokens/admin", Map.of("name", adminName)));
        assertThat(admin.withToken(first).send("GET", "/gateways", null).status()).isEqualTo(200);
        String adminId = null;
        for (JsonNode t : admin.expect(200, "GET", "/admin-tokens", null)) {
            if (t.path("name").asString().equals(adminName) && t.path("active").asBoolean()) {
                adminId = t.path("id").asString();
            }
        }
        ConsoleSession.Page rotated = owner.post("/console/settings/tokens", "/console/settings/tokens/admin/" + adminId + "/rotate", Map.of());
        String second = issued(rotated);
        assertThat(second).isNotEqualTo(first);
        assertThat(admin.withToken(first).send("GET", "/gateways", null).status()).isEqualTo(401);
        assertThat(admin.withToken(second).send("GET", "/gateways", null).status()).isEqualTo(200);
        String tokens = owner.get("/console/settings/tokens").body();
        assertThat(tokens).doesNotContain(first).doesNotContain(second).contains(adminName, "revoked");
        String secondId = null;
        for (JsonNode t : admin.expect(200, "GET", "/admin-tokens", null)) {
            if (t.path("name").asString().equals(adminName) && t.path("active").asBoolean()) {
                secondId = t.path("id").asString();
            }
        }
        assertThat(owner.postRaw("/console/settings/tokens/admin/" + secondId + "/revoke", Map.of(), "/console/settings/tokens").status())
                .as("no CSRF token").isEqualTo(403);
        assertThat(admin.withToken(second).send("GET", "/gateways", null).status()).isEqualTo(200);
        owner.post("/console/settings/tokens", "/console/settings/tokens/admin/" + secondId + "/revoke", Map.of());
        assertThat(admin.withToken(second).send("GET", "/gateways", null).status()).isEqualTo(401);
        // every change is in the audit trail, without a secret
        String trail = admin.expect(200, "GET", "/admin-audit?limit=50", null).toString();
        assertThat(trail).contains("POST /admin-tokens/{}/rotate", "POST /scim-tokens").doesNotContain(first).doesNotContain(second)
                .doesNotContain(scimSecret);
    }

    @Test
    void ssoProvidersAreAddedAgainstARealIssuerAndRemoved() {
        MockOAuth2Server idp = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{}"));
        idp.start(InetAddress.getLoopbackAddress(), 0);
        closeLater.add(idp::shutdown);
        ConsoleSession owner = person("role_owner", null);
        String name = unique("corp").toLowerCase().replaceAll("[^a-z0-9-]", "-");
        String secret = "client-s3cr3t-" + unique("x");
        String issuer = idp.issuerUrl("corp").toString();
        ConsoleSession.Page added = owner.post("/console/settings/sso", "/console/settings/sso", Map.of("name", name, "issuer", issuer,
                "clientId", "gatehouse-client", "clientSecret", secret, "emailDomains", name + ".example.com", "groupsClaim", "groups"));
        assertThat(path(added)).isEqualTo("/console/settings/sso");
        ConsoleSession.Page page = owner.get("/console/settings/sso");
        assertThat(page.body()).contains(name, issuer, "gatehouse-client", "/login/oauth2/code/" + name).doesNotContain(secret);
        JsonNode provider = null;
        for (JsonNode p : admin.expect(200, "GET", "/sso-providers", null)) {
            if (p.path("name").asString().equals(name)) {
                provider = p;
            }
        }
        assertThat(provider).isNotNull();
        assertThat(provider.path("emailDomains").toString()).contains(name + ".example.com");

        // a wrong issuer comes back with the reason on the form's page
        ConsoleSession.Page bad = owner.post("/console/settings/sso", "/console/settings/sso", Map.of("name", name + "-bad", "issuer",
                "ftp://nowhere", "clientId", "c", "clientSecret", "s"));
        assertThat(path(bad)).isEqualTo("/console/settings/sso");
        assertThat(owner.get("/console/settings/sso").body()).contains("issuer is required");

        owner.post("/console/settings/sso", "/console/settings/sso/" + provider.path("id").asString() + "/delete", Map.of());
        assertThat(admin.send("GET", "/sso-providers/" + provider.path("id").asString(), null).status()).isEqualTo(404);
    }

    @Test
    void alertChannelsAreAddedTestedAndDeletedByWhoeverManagesAlerts() throws Exception {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> bodies = new CopyOnWriteArrayList<>();
        receiver.createContext("/", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(ex.getRequestURI().getPath().contains("broken") ? 503 : 204, -1);
            ex.close();
        });
        receiver.start();
        closeLater.add(() -> receiver.stop(0));
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort();

        String role = admin.expect(201, "POST", "/roles", Map.of("name", unique("alert-keeper"), "permissions", List.of("alert.manage")))
                .path("id").asString();
        ConsoleSession keeper = person(role, null);
        assertThat(path(keeper.get("/console/settings"))).isEqualTo("/console/settings/alert-channels");
        // only the section they may use
        String page = keeper.get("/console/settings/alert-channels").body();
        assertThat(page).contains("id=\"add-alert-channel\"").doesNotContain("/console/settings/sso\"").doesNotContain("/console/settings/tokens\"");
        String missing = keeper.get("/console/gateways/gw_does_not_exist").withoutTokens();
        ConsoleSession.Page sso = keeper.get("/console/settings/sso");
        assertThat(sso.status()).isEqualTo(404);
        assertThat(sso.withoutTokens()).as("a section one may not use answers like a missing page").isEqualTo(missing);

        String name = HOSTILE + unique("hook");
        assertThat(path(keeper.post("/console/settings/alert-channels", "/console/settings/alert-channels",
                Map.of("name", name, "type", "webhook", "url", hook + "/hooks/s3cr3t-path", "alertTypes", "")))).isEqualTo("/console/settings/alert-channels");
        page = keeper.get("/console/settings/alert-channels").body();
        assertThat(page).contains(hook).doesNotContain("s3cr3t-path").contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");
        String id = null;
        for (JsonNode c : admin.expect(200, "GET", "/alert-channels", null)) {
            if (c.path("name").asString().equals(name)) {
                id = c.path("id").asString();
            }
        }

        // a test send: the receiver gets it now, and the page says what happened
        ConsoleSession.Page tested = keeper.post("/console/settings/alert-channels", "/console/settings/alert-channels/" + id + "/test", Map.of());
        assertThat(path(tested)).isEqualTo("/console/settings/alert-channels");
        assertThat(bodies).hasSize(1);
        assertThat(bodies.getFirst()).contains("\"type\":\"test\"");
        String shown = keeper.get("/console/settings/alert-channels").body();
        assertThat(shown).contains("id=\"test-result\"", "Test alert delivered", "(HTTP 204)");

        // a receiver that fails: the status and the reason are shown
        String broken = admin.expect(201, "POST", "/alert-channels", Map.of("name", unique("broken"), "type", "slack", "url", hook + "/broken"))
                .path("id").asString();
        keeper.post("/console/settings/alert-channels", "/console/settings/alert-channels/" + broken + "/test", Map.of());
        assertThat(keeper.get("/console/settings/alert-channels").body()).contains("Test alert not delivered", "(HTTP 503)", "HTTP 503 from 127.0.0.1");

        // bad input comes back with the reason
        keeper.post("/console/settings/alert-channels", "/console/settings/alert-channels", Map.of("name", unique("bad"), "type", "webhook", "url", "ftp://x"));
        assertThat(keeper.get("/console/settings/alert-channels").body()).contains("url must be an http(s) URL");

        // someone without alert.manage: no entry, the page and the actions answer like missing ones, nothing is sent
        ConsoleSession dana = person("role_gateway_admin", gwA);
        assertThat(dana.get("/console/gateways").body()).doesNotContain("/console/settings\"");
        assertThat(dana.get("/console/settings").status()).isEqualTo(404);
        assertThat(dana.get("/console/settings/alert-channels").status()).isEqualTo(404);
        assertThat(dana.get("/console/settings/alert-channels").withoutTokens()).isEqualTo(dana.get("/console/gateways/gw_does_not_exist").withoutTokens());
        assertThat(dana.post("/console/gateways", "/console/settings/alert-channels/" + id + "/test", Map.of()).status()).isEqualTo(404);
        assertThat(dana.post("/console/gateways", "/console/settings/alert-channels/" + id + "/delete", Map.of()).status()).isEqualTo(404);
        assertThat(bodies).hasSize(2);
        assertThat(admin.send("GET", "/alert-channels/" + id, null).status()).isEqualTo(200);
        assertThat(keeper.postRaw("/console/settings/alert-channels/" + id + "/delete", Map.of(), "/console/settings/alert-channels").status())
                .as("no CSRF token").isEqualTo(403);

        keeper.post("/console/settings/alert-channels", "/console/settings/alert-channels/" + id + "/delete", Map.of());
        assertThat(admin.send("GET", "/alert-channels/" + id, null).status()).isEqualTo(404);
        // telemetry is for administrators only
        assertThat(keeper.get("/console/settings/telemetry").status()).isEqualTo(404);
    }

    @Test
    void telemetryShowsWhatIsConfiguredAndIsSetAndRemovedHere() throws Exception {
        ConsoleSession owner = person("role_owner", null);
        ConsoleSession.Page page = owner.get("/console/settings/telemetry");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("OpenTelemetry export is off", "OTEL_EXPORTER_OTLP_ENDPOINT", "In the environment", "Nothing is set here");

        try (gatehouse.testing.OtlpReceiver receiver = new gatehouse.testing.OtlpReceiver()) {
            owner.post("/console/settings/telemetry", "/console/settings/telemetry", Map.of("endpoint",
                    receiver.endpoint(), "protocol", "http/protobuf", "header", "Authorization: Bearer console-otlp-s3cret",
                    "serviceName", "gatehouse-console"));
            assertThat(owner.get("/console/settings/telemetry").body()).contains("OpenTelemetry export now goes to " + receiver.endpoint(), "settings from the admin API",
                    "gatehouse-console", "Authorization").doesNotContain("console-otlp-s3cret");
            tools.jackson.databind.JsonNode view = admin.expect(200, "GET", "/telemetry", null);
            assertThat(view.path("endpoint").asString()).isEqualTo(receiver.endpoint());
            assertThat(view.path("exporting").asBoolean()).isTrue();

            // a header without a name is refused with the reason, and nothing changes
            owner.post("/console/settings/telemetry", "/console/settings/telemetry", Map.of("endpoint",
                    "http://127.0.0.1:1", "header", "no colon here"));
            assertThat(owner.get("/console/settings/telemetry").body()).contains("Name: value");
            assertThat(admin.expect(200, "GET", "/telemetry", null).path("endpoint").asString()).isEqualTo(receiver.endpoint());

            // someone without the admin permission cannot change it, and it looks like a missing page
            ConsoleSession keeper = person("role_auditor", null);
            assertThat(keeper.post("/console/gateways", "/console/settings/telemetry", Map.of("endpoint", "http://127.0.0.1:2")).status())
                    .isEqualTo(404);

            owner.post("/console/settings/telemetry", "/console/settings/telemetry/delete", Map.of());
            assertThat(owner.get("/console/settings/telemetry").body()).contains("OpenTelemetry export is off", "Nothing is set here");
            assertThat(admin.expect(200, "GET", "/telemetry", null).path("source").asString()).isEqualTo("off");
        }
        assertThat(SettingsController.withoutCredentials("https://user:pw@collector.example:4318/v1?key=abc"))
                .isEqualTo("https://collector.example:4318/v1");
    }
}
