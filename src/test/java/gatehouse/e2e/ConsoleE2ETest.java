package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import com.microsoft.playwright.options.WaitForSelectorState;

import com.sun.net.httpserver.HttpServer;

import gatehouse.testing.AdminClient;
import gatehouse.catalog.features.HostileServer;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import tools.jackson.databind.JsonNode;

/**
 * The web console in a real browser (Debian's Chromium, headless, driven by Playwright) against the
 * packaged jar, the way an administrator uses it: sign in, create a gateway (by keyboard, with a
 * hostile name that must show as text), add and assign a server, connect an agent and copy its
 * token, call a tool through the gateway with the TypeScript SDK client, watch the call arrive in
 * the Logging tab's live tail, and find, acknowledge and resolve the alert it raised. Any script
 * error or unexpected dialog in the browser fails the test; a form posted without its CSRF token is
 * refused. Screenshots of every page go to {@code target/e2e/ConsoleE2ETest/}.
 */
class ConsoleE2ETest {
    private static final String PASSWORD = "console-e2e-password-0123456789";
    private static final String HOSTILE = "<img src=x onerror=alert(1)>";
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static NodePeers peers;
    private static Path dir;
    private static GatehouseJar gatehouse;
    private static Playwright playwright;
    private static Browser browser;
    private static final List<String> browserErrors = Collections.synchronizedList(new ArrayList<>());
    private static final List<String> unexpectedDialogs = Collections.synchronizedList(new ArrayList<>());
    private static int shot;

    @BeforeAll
    static void start() {
        peers = NodePeers.fromEnvironment();
        Path chromium = chromium();
        dir = GatehouseJar.workDir("ConsoleE2ETest");
        gatehouse = GatehouseJar.start(dir, Map.of("GATEHOUSE_ADMIN_USER", "admin", "GATEHOUSE_ADMIN_PASSWORD", PASSWORD));
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chromium).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")));
    }

    /** Debian's Chromium ({@code GATEHOUSE_CHROMIUM}, else /usr/bin/chromium); missing, the class is skipped unless end-to-end tests are required. */
    private static Path chromium() {
        String configured = System.getenv("GATEHOUSE_CHROMIUM");
        Path p = Path.of(configured == null || configured.isBlank() ? "/usr/bin/chromium" : configured);
        if (!Files.isExecutable(p)) {
            String why = "Chromium is not installed at " + p + " (apt-get install chromium; .ci/run does)";
            if (NodePeers.required(System.getenv())) {
                throw new IllegalStateException(why + "; end-to-end tests are required here");
            }
            SkippedEndToEnd.skipped(ConsoleE2ETest.class.getName(), why);
            Assumptions.abort(why);
        }
        return p;
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    private static Page newPage(BrowserContext context) {
        return newPage(context, url -> true);
    }

    /** A page whose script errors fail the test while it shows a URL that is {@code ours} (another site's page is not ours to judge). */
    private static Page newPage(BrowserContext context, java.util.function.Predicate<String> ours) {
        Page page = context.newPage();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error") && ours.test(page.url())) {
                browserErrors.add(m.text() + " (" + m.location() + " on " + page.url() + ")");
            }
        });
        page.onPageError(e -> {
            if (ours.test(page.url())) {
                browserErrors.add("uncaught: " + e + " on " + page.url());
            }
        });
        page.onDialog(d -> {
            if (d.type().equals("confirm")) {
                d.accept(); // the console asks before destructive actions
            } else {
                unexpectedDialogs.add(d.type() + ": " + d.message() + " on " + page.url());
                d.dismiss();
            }
        });
        return page;
    }

    /**
     * What every console page must have for people using a keyboard or a screen reader, checked in the
     * page's live DOM (a small rule set of our own, not a full WCAG audit): every form control and
     * button named (a label, aria-label or its text), one main landmark, a navigation landmark, a
     * heading, tables with header cells and a caption, unique ids, the document's language.
     */
    private static final String ACCESSIBILITY_AUDIT = """
            () => {
              const problems = [];
              const named = el => {
                const aria = el.getAttribute('aria-label');
                if (aria && aria.trim()) return true;
                const by = el.getAttribute('aria-labelledby');
                if (by && by.split(/\\s+/).every(id => document.getElementById(id) && document.getElementById(id).textContent.trim())) return true;
                if (el.labels && [...el.labels].some(l => l.textContent.trim())) return true;
                if ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim()) return true;
                return false;
              };
              for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')) {
                if (!named(el)) problems.push('no accessible name: ' + el.outerHTML.slice(0, 160));
              }
              if (document.querySelectorAll('main').length !== 1) problems.push('exactly one main landmark');
              if (!document.querySelector('nav[aria-label]')) problems.push('a labelled navigation landmark');
              if (!document.querySelector('main h1')) problems.push('a first-level heading in main');
              if (!document.querySelector('a.skip[href="#main"]')) problems.push('a skip link to the content');
              for (const t of document.querySelectorAll('main table')) {
                if (!t.querySelector('th')) problems.push('a table without header cells: ' + (t.id || t.className));
                if (!t.querySelector('caption') && !t.getAttribute('aria-label')) problems.push('a table without caption: ' + (t.id || t.className));
              }
              const seen = new Set();
              for (const e of document.querySelectorAll('[id]')) {
                if (seen.has(e.id)) problems.push('duplicate id: ' + e.id);
                seen.add(e.id);
              }
              if (!document.documentElement.lang) problems.push('the document language');
              return problems;
            }""";

    @SuppressWarnings("unchecked")
    private static void accessible(Page page, String name) {
        List<String> problems = (List<String>) page.evaluate(ACCESSIBILITY_AUDIT);
        assertThat(problems).as("accessibility of %s (%s)", name, page.url()).isEmpty();
    }

    /** Presses Tab from the top of the page until {@code selector} has the focus; answers whether it got there. */
    private static boolean tabTo(Page page, String selector) {
        page.locator("body").focus();
        for (int i = 0; i < 80; i++) {
            page.keyboard().press("Tab");
            if (Boolean.TRUE.equals(page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector))) {
                return true;
            }
        }
        return false;
    }

    /** The focused element shows where the focus is (an outline that is not 'none'). */
    private static void focusVisible(Page page) {
        Object outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle");
        assertThat(outline).as("focus is visible on %s", page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")).isNotEqualTo("none");
    }

    private static void screenshot(Page page, String name) {
        if (page.url().contains("/console")) {
            accessible(page, name);
        }
        page.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(String.format("%02d-%s.png", ++shot, name))).setFullPage(true));
        Object width = page.evaluate("() => document.documentElement.scrollWidth");
        assertThat(((Number) width).intValue()).as("%s fits 1280 px without scrolling sideways", name).isLessThanOrEqualTo(1280);
        assertThat(browserErrors).as("no script errors in the browser").isEmpty();
        assertThat(unexpectedDialogs).as("no dialogs but confirmations").isEmpty();
    }

    @Test
    void anAdministratorSetsUpAGatewayAndSeesItsTraffic() {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        context.grantPermissions(List.of("clipboard-read", "clipboard-write"), new BrowserContext.GrantPermissionsOptions().setOrigin(gatehouse.baseUrl()));
        Page page = newPage(context);
        String base = gatehouse.baseUrl();

        // / leads to the console, which asks to sign in first
        page.navigate(base + "/");
        assertThat(page.url()).endsWith("/login");
        page.getByLabel("Username").fill("admin");
        page.getByLabel("Password").fill(PASSWORD);
        screenshot(page, "sign-in");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        page.waitForURL("**/console/gateways**");
        assertThat(page.locator(".empty").textContent()).contains("No gateways yet");
        screenshot(page, "gateways-empty");

        // a gateway created by keyboard alone, under a name that would run a script if it were not escaped
        page.locator("body").focus();
        for (int i = 0; i < 40 && !"gateway-name".equals(page.evaluate("() => document.activeElement && document.activeElement.id")); i++) {
            page.keyboard().press("Tab");
        }
        assertThat(page.evaluate("() => document.activeElement.id")).as("the name field is reachable with Tab").isEqualTo("gateway-name");
        page.keyboard().type(HOSTILE);
        page.keyboard().press("Enter");
        page.waitForURL("**/console/gateways/gw_*");
        String gatewayId = page.url().replaceAll(".*/console/gateways/", "").replaceAll("[?#].*", "");
        assertThat(page.locator("main h1").textContent()).isEqualTo(HOSTILE);
        assertThat(page.locator("main img").count()).as("the name is text, not an element").isZero();
        screenshot(page, "gateway-overview-empty");

        // a form posted without its CSRF token is refused, even with the session cookie
        APIResponse forged = page.request().post(base + "/console/gateways",
                RequestOptions.create().setForm(FormData.create().set("name", "forged-without-token")).setMaxRedirects(0));
        assertThat(forged.status()).isEqualTo(403);
        assertThat(E2eJson.list(gatehouse.expect(200, "GET", "/gateways", null))).extracting(g -> g.path("name").asString())
                .containsExactly(HOSTILE);

        // a server added in the catalogue, then assigned on the gateway's Servers tab
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Servers").setExact(true)).first().click();
        page.waitForURL("**/console/servers");
        page.getByLabel("Name").fill("everything");
        page.getByLabel("Transport").selectOption("stdio");
        page.getByLabel("Command line").fill(quote(peers.node()) + " " + quote(peers.everything().toString()) + " stdio");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add server")).click();
        page.waitForURL("**/console/servers");
        assertThat(page.locator("#servers tbody tr").count()).isEqualTo(1);
        screenshot(page, "servers");

        page.navigate(base + "/console/gateways/" + gatewayId + "/servers");
        page.getByLabel("Server", new Page.GetByLabelOptions().setExact(true)).selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("everything (stdio)"));
        page.getByLabel("Prefix").fill("ev");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Assign")).click();
        page.waitForURL("**/servers");
        assertThat(page.locator("#assigned-servers").textContent()).contains("everything", "ev__");
        screenshot(page, "gateway-servers");

        // a rule that alerts on a marker in requests (set through the admin API)
        gatehouse.expect(201, "POST", "/gateways/" + gatewayId + "/rules", Map.of("name", "marker", "type", "regex",
                "patterns", List.of("console-e2e-marker-[0-9]+"), "action", "alert", "direction", "request", "mode", "enforce"));

        // an agent connected with the wizard: URL and token shown once, with a working copy button
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Apps & Agents")).click();
        assertThat(page.locator(".empty").textContent()).contains("Nothing is connected yet");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Connect an agent")).first().click();
        page.getByLabel("New agent's name").fill("e2e-agent");
        page.getByLabel("Gateway").selectOption(gatewayId);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create the connection and show its token")).click();
        String token = page.locator("#issued-token").textContent().strip();
        String url = page.locator("#issued-url").textContent().strip();
        assertThat(token).startsWith("gh_");
        assertThat(url).isEqualTo(base + "/gateway/v1/mcp?gateway=" + gatewayId);
        Locator copy = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Copy the token"));
        copy.click();
        // the clipboard is written asynchronously: what counts is what it holds (the button's "Copied"
        // shows for 1.5 s only, a window a loaded machine can miss)
        await().atMost(WAIT).untilAsserted(() -> assertThat(page.evaluate("() => navigator.clipboard.readText()")).isEqualTo(token));
        screenshot(page, "agent-token");

        // the agent calls a tool through the gateway with an independent MCP client
        NodePeers.Run run = peers.sdkClient("console-agent", url, token, E2eJson.write(List.of(
                Map.of("op", "listTools"),
                Map.of("op", "callTool", "name", "ev__echo", "args", Map.of("message", "hello console-e2e-marker-42"), "retryMs", 60000))), dir);
        JsonNode report = run.report();
        assertThat(run.exitCode()).as("sdk-client: %s\n%s", report, run.stderr()).isZero();
        assertThat(report.path("steps").get(1).path("result").toString()).contains("hello console-e2e-marker-42");

        // the call arrives in the Logging tab's live tail without reloading the page
        page.navigate(base + "/console/gateways/" + gatewayId + "/logs");
        page.getByLabel("Live tail").check();
        page.getByLabel("Tool").fill("ev__echo");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Apply")).click();
        page.waitForURL("**live=true**");
        page.locator("tr.log-row", new Page.LocatorOptions().setHasText("ev__echo"))
                .waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE).setTimeout(WAIT.toMillis()));
        assertThat(page.locator("tr.log-row").first().textContent()).contains("e2e-agent", "tools/call", "ok");
        screenshot(page, "gateway-logging");

        // the Tools tab lists the server's tools; the Connections tab shows the agent and when it was last used
        page.navigate(base + "/console/gateways/" + gatewayId + "/tools");
        assertThat(page.locator("tr[data-feature='ev__echo']").count()).isEqualTo(1);
        screenshot(page, "gateway-tools");
        page.navigate(base + "/console/gateways/" + gatewayId + "/connections");
        Locator agentRow = page.locator("#connections tbody tr").first();
        assertThat(agentRow.textContent()).contains("e2e-agent", "API token", "enabled").doesNotContain("never");
        screenshot(page, "gateway-connections");

        // the Overview's chart counts it
        page.navigate(base + "/console/gateways/" + gatewayId);
        page.locator("#activity-chart-summary").filter(new Locator.FilterOptions().setHasText("calls in this period"))
                .waitFor(new Locator.WaitForOptions().setTimeout(WAIT.toMillis()));
        screenshot(page, "gateway-overview");

        // the rule's alert on the Alerts page: acknowledged, then resolved
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            page.navigate(base + "/console/alerts");
            assertThat(page.locator("tr.alert-row", new Page.LocatorOptions().setHasText("rule-alert")).count()).isPositive();
        });
        Locator alert = page.locator("tr.alert-row", new Page.LocatorOptions().setHasText("rule-alert")).first();
        assertThat(alert.textContent()).contains("Rule 'marker'", HOSTILE);
        screenshot(page, "alerts");
        alert.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Acknowledge: Rule 'marker'")).click();
        page.waitForURL("**/console/alerts**");
        alert = page.locator("tr.alert-row", new Page.LocatorOptions().setHasText("rule-alert")).first();
        assertThat(alert.locator(".badge.acknowledged").count()).isEqualTo(1);
        alert.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Resolve: Rule 'marker'")).click();
        page.waitForURL("**/console/alerts**");
        assertThat(page.locator("tr.alert-row", new Page.LocatorOptions().setHasText("rule-alert")).count()).as("resolved alerts leave the default view")
                .isZero();
        assertThat(E2eJson.list(gatehouse.expect(200, "GET", "/alerts", null))).filteredOn(a -> a.path("type").asString().equals("rule-alert"))
                .extracting(a -> a.path("state").asString()).containsOnly("resolved");

        // the gateways list shows the counts
        page.navigate(base + "/console/gateways");
        Locator row = page.locator("tr[data-gateway-id='" + gatewayId + "']");
        assertThat(row.locator("td").nth(1).textContent().strip()).isEqualTo("1");
        assertThat(row.locator("td").nth(3).textContent().strip()).isEqualTo("1");
        assertThat(page.locator("main img").count()).isZero();
        screenshot(page, "gateways");
        context.close();
        assertThat(browserErrors).isEmpty();
        assertThat(unexpectedDialogs).isEmpty();
    }

    /**
     * Settings and Identities by an administrator in the browser, partly by keyboard alone: an SSO
     * provider added against a real OpenID provider, a SCIM token shown once and copied, an admin token
     * made and rotated, an alert channel that receives a test alert (the result on the page), the
     * telemetry in effect, and a connection's credential for a personal server revoked.
     */
    @Test
    void anAdministratorManagesSettingsAndIdentities() throws Exception {
        MockOAuth2Server idp = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{}"));
        idp.start(java.net.InetAddress.getLoopbackAddress(), 0);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        receiver.createContext("/", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        HostileServer upstream = HostileServer.start("personal-upstream");
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        context.grantPermissions(List.of("clipboard-read", "clipboard-write"), new BrowserContext.GrantPermissionsOptions().setOrigin(gatehouse.baseUrl()));
        try {
            Page page = newPage(context);
            String base = gatehouse.baseUrl();
            page.navigate(base + "/console/settings");
            page.getByLabel("Username").fill("admin");
            page.getByLabel("Password").fill(PASSWORD);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
            page.waitForURL("**/console/settings/sso");
            assertThat(page.locator(".empty").textContent()).contains("No SSO provider yet");
            screenshot(page, "settings-sso-empty");

            // an SSO provider, typed with the keyboard only: Tab to the first field, then field by field, Enter
            String issuer = idp.issuerUrl("corp").toString();
            assertThat(tabTo(page, "#sso-name")).as("the provider form is reachable with Tab").isTrue();
            focusVisible(page);
            for (String value : List.of("corp", issuer, "gatehouse-console", "console-client-s3cr3t", "corp.example.com", "groups")) {
                page.keyboard().type(value);
                page.keyboard().press("Tab");
            }
            assertThat(page.evaluate("() => document.activeElement.textContent.trim()")).isEqualTo("Add provider");
            focusVisible(page);
            page.keyboard().press("Enter");
            page.locator("main .flash").waitFor(new Locator.WaitForOptions().setTimeout(WAIT.toMillis()));
            assertThat(page.locator("main .flash").textContent()).contains("SSO provider 'corp' added");
            Locator provider = page.locator("#sso-providers tbody tr");
            assertThat(provider.count()).isEqualTo(1);
            assertThat(provider.textContent()).contains("corp", "gatehouse-console", "corp.example.com", "/login/oauth2/code/corp");
            assertThat(page.content()).doesNotContain("console-client-s3cr3t");
            screenshot(page, "settings-sso");

            // a SCIM token: shown once with a copy button, then only its name and dates
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("SCIM & admin tokens")).click();
            page.getByLabel("New SCIM token's name").fill("okta");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create SCIM token")).click();
            String scim = page.locator("#issued-token").textContent().strip();
            assertThat(scim).startsWith("ghs_");
            Locator copy = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Copy the token"));
            copy.click();
            await().atMost(WAIT).untilAsserted(() -> assertThat(page.evaluate("() => navigator.clipboard.readText()")).isEqualTo(scim));
            screenshot(page, "settings-scim-token-once");
            assertThat(new AdminClient(base, scim).raw("GET", "/scim/v2/Users", null).status()).isEqualTo(200);
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Back to the tokens")).click();
            assertThat(page.locator("#scim-tokens").textContent()).contains("okta");
            assertThat(page.content()).doesNotContain(scim);

            // an admin token made, then rotated: the old one stops, the new one works
            page.getByLabel("New admin token's name").fill("console-e2e-ci");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create admin token")).click();
            String first = page.locator("#issued-token").textContent().strip();
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Back to the tokens")).click();
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Rotate admin token console-e2e-ci")).click();
            String second = page.locator("#issued-token").textContent().strip();
            assertThat(second).isNotEqualTo(first);
            assertThat(new AdminClient(base, first).send("GET", "/gateways", null).status()).isEqualTo(401);
            assertThat(new AdminClient(base, second).send("GET", "/gateways", null).status()).isEqualTo(200);
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Back to the tokens")).click();
            assertThat(page.locator("#admin-tokens").textContent()).contains("console-e2e-ci", "revoked");
            assertThat(page.content()).doesNotContain(first).doesNotContain(second);
            screenshot(page, "settings-tokens");

            // an alert channel, and a test alert sent by keyboard: the receiver has it and the page says so
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Alert delivery")).click();
            page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("oncall-hook");
            page.getByLabel("Type", new Page.GetByLabelOptions().setExact(true)).selectOption("webhook");
            page.getByLabel("Webhook URL").fill("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/console-s3cr3t");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add channel")).click();
            page.locator("main .flash.info").waitFor(new Locator.WaitForOptions().setTimeout(WAIT.toMillis()));
            assertThat(page.locator("#alert-channels").textContent()).contains("oncall-hook", "http://127.0.0.1:").doesNotContain("console-s3cr3t");
            assertThat(tabTo(page, "button[aria-label='Send a test alert to oncall-hook']")).as("the test button is reachable with Tab").isTrue();
            focusVisible(page);
            page.keyboard().press("Enter");
            page.locator("#test-result").waitFor(new Locator.WaitForOptions().setTimeout(WAIT.toMillis()));
            assertThat(page.locator("#test-result").textContent()).contains("Test alert delivered", "oncall-hook", "(HTTP 204)");
            assertThat(received).hasSize(1);
            assertThat(received.getFirst()).contains("\"type\":\"test\"");
            screenshot(page, "settings-alert-channels");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Telemetry")).click();
            assertThat(page.locator("#telemetry-state").textContent()).contains("OpenTelemetry export is off");
            screenshot(page, "settings-telemetry");

            // an agent's credential for a personal server, on the Identities page, revoked
            String gatewayId = gatehouse.createGateway("identities-e2e");
            String serverId = gatehouse.createHttpServer("personal-upstream", upstream.url()); // tokens are tried on it before they are kept
            gatehouse.expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + serverId, Map.of("identity", "personal", "prefix", "pu"));
            var agent = gatehouse.connect(gatewayId, "identity-agent");
            gatehouse.expect(200, "PUT", "/connections/" + agent.id() + "/identities/" + serverId, Map.of("token", "agent-upstream-s3cr3t"));
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Identities")).click();
            page.waitForURL("**/console/identities");
            Locator identity = page.locator("tr.identity-row[data-connection-id='" + agent.id() + "']");
            assertThat(identity.textContent()).contains("identity-agent", "identities-e2e", "personal-upstream", "ok");
            assertThat(page.content()).doesNotContain("agent-upstream-s3cr3t");
            screenshot(page, "identities");
            identity.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Revoke the credential of identity-agent for personal-upstream")).click();
            page.locator("main .flash.info").waitFor(new Locator.WaitForOptions().setTimeout(WAIT.toMillis()));
            assertThat(page.locator("tr.identity-row[data-connection-id='" + agent.id() + "']").textContent()).contains("revoked");
            screenshot(page, "identities-revoked");
        } finally {
            context.close();
            receiver.stop(0);
            idp.shutdown();
            upstream.close();
            // the other test starts from an empty console, whichever runs first
            for (JsonNode g : E2eJson.list(gatehouse.expect(200, "GET", "/gateways", null))) {
                if (g.path("name").asString().equals("identities-e2e")) {
                    gatehouse.expect(204, "DELETE", "/gateways/" + g.path("id").asString(), null);
                }
            }
            for (JsonNode h : E2eJson.list(gatehouse.expect(200, "GET", "/hosts", null))) {
                if (h.path("name").asString().equals("identity-agent")) {
                    gatehouse.expect(204, "DELETE", "/hosts/" + h.path("id").asString(), null);
                }
            }
            for (JsonNode sv : E2eJson.list(gatehouse.expect(200, "GET", "/servers", null))) {
                if (sv.path("name").asString().equals("personal-upstream")) {
                    gatehouse.expect(204, "DELETE", "/servers/" + sv.path("id").asString(), null);
                }
            }
        }
        assertThat(browserErrors).isEmpty();
        assertThat(unexpectedDialogs).isEmpty();
    }

    private static String quote(String s) {
        return s.contains(" ") ? "\"" + s + "\"" : s;
    }

    /**
     * A person signs in to the console through an OpenID provider (a real mock-oauth2-server with its
     * interactive sign-in page), in the browser: the sign-in page offers the provider, the provider's
     * page takes the person's claims, and Gatehouse creates the user and opens the console. They see
     * no gateway until an administrator grants them one, and then that gateway only.
     */
    @Test
    void aPersonSignsInToTheConsoleThroughSsoAndSeesWhatTheyAreGranted() {
        MockOAuth2Server idp = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{\"interactiveLogin\": true}"));
        idp.start(java.net.InetAddress.getLoopbackAddress(), 0);
        AdminClient admin = gatehouse.admin();
        String provider = null;
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        try {
            String issuer = idp.issuerUrl("people").toString().replaceAll("/$", "");
            JsonNode created = admin.expect(201, "POST", "/sso-providers", Map.of("name", "people", "issuer", issuer,
                    "clientId", "gatehouse-console", "clientSecret", "people-client-s3cret", "emailDomains", List.of("people.example")));
            provider = created.path("id").asString();
            String visible = gatehouse.createGateway("sso-granted");
            String hidden = gatehouse.createGateway("sso-not-granted");

            // nothing leaves the machine: the provider's page asks for web fonts, which are refused here
            context.route(url -> !url.startsWith("http://127.0.0.1:") && !url.startsWith("http://localhost:"), com.microsoft.playwright.Route::abort);
            String base = gatehouse.baseUrl();
            Page page = newPage(context, url -> url.startsWith(base)); // the provider's own page is not ours to judge
            page.navigate(base + "/console");
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign in with people")).click();
            // the provider's own sign-in page: the subject and the claims it will put in the ID token
            page.locator("input[name=username]").waitFor(new Locator.WaitForOptions().setTimeout(WAIT.toMillis()));
            page.locator("input[name=username]").fill("dana-subject");
            page.locator("textarea[name=claims]").fill("{\"email\": \"dana@people.example\", \"email_verified\": true}");
            page.locator("input[type=submit], button[type=submit]").first().click();
            page.waitForURL("**/console/gateways", new Page.WaitForURLOptions().setTimeout(WAIT.toMillis()));
            screenshot(page, "sso-signed-in");
            assertThat(page.content()).contains("dana@people.example");
            assertThat(page.locator("main").textContent()).doesNotContain("sso-granted").doesNotContain("sso-not-granted");

            JsonNode dana = E2eJson.list(admin.expect(200, "GET", "/users", null)).stream()
                    .filter(u -> u.path("username").asString().equals("dana@people.example")).findFirst()
                    .orElseThrow(() -> new AssertionError("the SSO sign-in created no user"));
            assertThat(dana.path("source").asString()).isEqualTo("sso:people");
            String role = admin.expect(201, "POST", "/roles", Map.of("name", "sso-gateway-reader", "permissions", List.of("gateway.read")))
                    .path("id").asString();
            admin.expect(200, "PUT", "/users/" + dana.path("id").asString() + "/roles/" + role, Map.of("scope", Map.of("gatewayId", visible)));

            page.reload();
            assertThat(page.locator("main").textContent()).contains("sso-granted").doesNotContain("sso-not-granted");
            page.navigate(gatehouse.baseUrl() + "/console/gateways/" + hidden);
            assertThat(page.locator("main").textContent()).as("a gateway not granted is not found").containsIgnoringCase("not found");
            accessible(page, "sso person's gateway list");
        } finally {
            context.close();
            // leave the console as found, so the other tests' pages are what they expect in any order
            E2eJson.list(admin.expect(200, "GET", "/users", null)).stream()
                    .filter(u -> u.path("username").asString().equals("dana@people.example"))
                    .forEach(u -> admin.send("DELETE", "/users/" + u.path("id").asString(), null));
            E2eJson.list(admin.expect(200, "GET", "/roles", null)).stream().filter(r -> r.path("name").asString().equals("sso-gateway-reader"))
                    .forEach(r -> admin.send("DELETE", "/roles/" + r.path("id").asString(), null));
            for (String name : List.of("sso-granted", "sso-not-granted")) {
                E2eJson.list(admin.expect(200, "GET", "/gateways", null)).stream().filter(g -> g.path("name").asString().equals(name))
                        .forEach(g -> admin.send("DELETE", "/gateways/" + g.path("id").asString(), null));
            }
            if (provider != null) {
                admin.send("DELETE", "/sso-providers/" + provider, null);
            }
            idp.shutdown();
        }
    }
}
