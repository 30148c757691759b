package gatehouse.sso;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.identity.Directory;
import gatehouse.identity.LocalAccounts;
import gatehouse.identity.Team;
import gatehouse.identity.User;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.TestDatabase;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import tools.jackson.databind.JsonNode;

/**
 * Sign-in through a real OpenID Connect provider (mock-oauth2-server on loopback, with its HTML
 * login form): the provider is registered through the admin API, found on the sign-in page by
 * e-mail domain, and the whole login runs through HTML forms and redirects as a browser without
 * JavaScript would. Gatehouse runs on a fixed port so that its public URL (and so its redirect URI)
 * is the address the browser really uses; local password sign-in is switched off here.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class SsoLoginTest {
    private static final String ADMIN_TOKEN = "gha_sso-login-test-token-0123456789abcdefghijklmnopqrstuvwxyz";
    private static final int PORT = freePort();
    private static final String BASE = "http://localhost:" + PORT;
    private static MockOAuth2Server idp;

    @Autowired AdminTokens adminTokens;
    @Autowired Directory directory;
    @Autowired LocalAccounts localAccounts;
    AdminClient admin;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("server.address", () -> "127.0.0.1");
        registry.add("gatehouse.public-url", () -> BASE);
        registry.add("gatehouse.login.local-enabled", () -> "false");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void startProvider() {
        idp = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{\"interactiveLogin\": true}"));
        idp.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterAll
    static void stopProvider() {
        if (idp != null) {
            idp.shutdown();
        }
    }

    @BeforeEach
    void adminToken() {
        adminTokens.ensure(ADMIN_TOKEN, "sso-login-test");
        admin = new AdminClient(BASE, ADMIN_TOKEN);
    }

    private String issuer(String tenant) {
        String url = idp.issuerUrl(tenant).toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private JsonNode registerProvider(String name, String domain) {
        AdminClient.Answer a = admin.send("POST", "/sso-providers", Map.of("name", name, "issuer", issuer(name), "clientId", "gatehouse-" + name,
                "clientSecret", "client-secret-" + name, "emailDomains", List.of(domain), "groupsClaim", "groups"));
        assertThat(a.status()).as("%s", a.body()).isEqualTo(201);
        return a.body();
    }

    /** Signs in on Gatehouse's sign-in page with this e-mail; answers every page on the way. */
    private List<Browser.Page> signIn(Browser browser, String email, String subject, List<String> groups) {
        Browser.Page login = browser.get(BASE + "/login");
        assertThat(login.status()).isEqualTo(200);
        List<Browser.Page> toProvider = browser.followFrom(browser.submit(login, "id=\"sso-email\"", Map.of("email", email)));
        Browser.Page providerLogin = toProvider.getLast();
        assertThat(providerLogin.url()).startsWith(idp.issuerUrl("x").scheme() + "://" + idp.issuerUrl("x").host());
        assertThat(providerLogin.body()).contains("Sign-in");
        String claims = Json.string(Map.of("email", email, "email_verified", true, "groups", groups));
        Browser.Page back = browser.submit(providerLogin, "name=\"username\"", Map.of("username", subject, "claims", claims));
        List<Browser.Page> pages = new java.util.ArrayList<>(toProvider);
        pages.add(back);
        pages.addAll(browser.followFrom(back));
        return pages;
    }

    @Test
    void aPersonSignsInThroughTheProviderFoundByTheirEmailDomain() {
        String name = "corp" + unique("").replace("-", "").toLowerCase().substring(0, 6);
        String domain = name + ".example";
        JsonNode provider = registerProvider(name, domain);
        assertThat(provider.path("redirectUri").asString()).isEqualTo(BASE + "/login/oauth2/code/" + name);
        assertThat(provider.toString()).doesNotContain("client-secret-");
        String teamName = unique("engineering");
        String teamId = admin.send("POST", "/teams", Map.of("name", teamName)).body().path("id").asString();

        Browser browser = new Browser();
        Browser.Page login = browser.get(BASE + "/login");
        assertThat(login.body()).contains("/oauth2/authorization/" + name).doesNotContain("id=\"login\"");

        String email = "alice@" + domain;
        List<Browser.Page> pages = signIn(browser, email, "alice-subject-" + name, List.of(teamName, "no-such-team"));
        Browser.Page authorize = pages.stream().filter(p -> p.url().contains("/authorize")).findFirst().orElseThrow();
        assertThat(Browser.param(authorize.url(), "code_challenge_method")).isEqualTo("S256");
        assertThat(Browser.param(authorize.url(), "code_challenge")).isNotBlank();
        assertThat(Browser.param(authorize.url(), "state")).isNotBlank();
        assertThat(Browser.param(authorize.url(), "nonce")).isNotBlank();
        assertThat(Browser.param(authorize.url(), "login_hint")).isEqualTo(email);
        assertThat(Browser.param(authorize.url(), "redirect_uri")).isEqualTo(BASE + "/login/oauth2/code/" + name);
        Browser.Page landed = pages.getLast();
        assertThat(landed.status()).as("%s", landed.body()).isEqualTo(200);
        assertThat(landed.url()).isEqualTo(BASE + "/connect/signed-in");
        assertThat(landed.body()).contains(email);

        User user = directory.userByUsername(email).orElseThrow();
        assertThat(user.source()).isEqualTo("sso:" + name);
        assertThat(user.hasPassword()).isFalse();
        Team team = directory.team(teamId);
        assertThat(team.memberIds()).contains(user.id());

        // the same person again, in a new browser: the same user, not a second one
        Browser again = new Browser();
        assertThat(signIn(again, email, "alice-subject-" + name, List.of()).getLast().url()).isEqualTo(BASE + "/connect/signed-in");
        assertThat(directory.users().stream().filter(u -> u.username().equals(email))).hasSize(1);

        // a disabled user is refused by the provider's sign-in too
        directory.updateUser(user.id(), null, false, null);
        Browser third = new Browser();
        Browser.Page refused = signIn(third, email, "alice-subject-" + name, List.of()).getLast();
        assertThat(refused.url()).startsWith(BASE + "/login");
        assertThat(refused.body()).contains("This account is disabled");
        assertThat(third.get(BASE + "/connect/signed-in").status()).as("not signed in").isEqualTo(302);
    }

    @Test
    void anUnknownDomainIsToldSoAndPasswordsAreSwitchedOff() {
        Browser browser = new Browser();
        registerProvider("other" + unique("").replace("-", "").toLowerCase().substring(0, 6), unique("d").toLowerCase() + ".example");
        Browser.Page login = browser.get(BASE + "/login");
        List<Browser.Page> pages = browser.followFrom(browser.submit(login, "id=\"sso-email\"", Map.of("email", "bob@nowhere.example")));
        assertThat(pages.getLast().body()).contains("No sign-in provider is set up for that e-mail domain");

        assertThat(pages.getLast().body()).as("no password form").doesNotContain("id=\"login\"").doesNotContain("type=\"password\"");
        String username = unique("local");
        directory.createUser(username, "a-good-password-123", "l@example.com");
        // the right password still does not sign in: local sign-in is switched off
        assertThatThrownBy(() -> localAccounts.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(username, "a-good-password-123")))
                .isInstanceOf(DisabledException.class).hasMessageContaining("switched off");
    }

    @Test
    void aProviderIsCheckedWhenItIsAdded() {
        AdminClient.Answer a = admin.send("POST", "/sso-providers", Map.of("name", "Bad Name", "issuer", issuer("x"), "clientId", "c", "clientSecret", "s"));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().path("field").asString()).isEqualTo("name");
        a = admin.send("POST", "/sso-providers", Map.of("name", "plain", "issuer", "http://idp.example.com", "clientId", "c", "clientSecret", "s"));
        assertThat(a.body().path("field").asString()).as("http only on loopback").isEqualTo("issuer");
        a = admin.send("POST", "/sso-providers", Map.of("name", "nodisco", "issuer", BASE + "/no-such-issuer", "clientId", "c", "clientSecret", "s"));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().path("detail").asString()).contains("discovery");
        a = admin.send("POST", "/sso-providers", Map.of("name", "nosecret", "issuer", issuer("nosecret"), "clientId", "c"));
        assertThat(a.body().path("field").asString()).isEqualTo("clientSecret");
        a = admin.send("POST", "/sso-providers", Map.of("name", "baddomain", "issuer", issuer("baddomain"), "clientId", "c", "clientSecret", "s",
                "emailDomains", List.of("not a domain")));
        assertThat(a.body().path("field").asString()).isEqualTo("emailDomains");
    }

    @Test
    void teamMembershipsFollowTheGroupsClaimAndOnlyThoseTheProviderMadeAreRemoved() {
        String name = "sync" + unique("").replace("-", "").toLowerCase().substring(0, 6);
        String domain = name + ".example";
        registerProvider(name, domain);
        String eng = unique("eng");
        String ops = unique("ops");
        String engId = admin.createTeam(eng);
        String opsId = admin.createTeam(ops);
        String manualId = admin.createTeam(unique("manual"));
        String email = "dora@" + domain;
        String subject = "dora-subject-" + name;

        assertThat(signIn(new Browser(), email, subject, List.of(eng, ops)).getLast().url()).isEqualTo(BASE + "/connect/signed-in");
        User dora = directory.userByUsername(email).orElseThrow();
        assertThat(directory.team(engId).memberIds()).contains(dora.id());
        assertThat(directory.team(opsId).memberIds()).contains(dora.id());
        admin.addMember(manualId, dora.id()); // an administrator's membership, of a team no group names

        // ops is gone at the provider: the membership it made goes at the next sign-in, nothing else does
        assertThat(signIn(new Browser(), email, subject, List.of(eng)).getLast().url()).isEqualTo(BASE + "/connect/signed-in");
        assertThat(directory.team(engId).memberIds()).contains(dora.id());
        assertThat(directory.team(opsId).memberIds()).doesNotContain(dora.id());
        assertThat(directory.team(manualId).memberIds()).contains(dora.id());

        // an administrator added her to ops again by hand: that membership is theirs, not the provider's
        admin.addMember(opsId, dora.id());
        signIn(new Browser(), email, subject, List.of());
        assertThat(directory.team(engId).memberIds()).doesNotContain(dora.id());
        assertThat(directory.team(opsId).memberIds()).contains(dora.id());
        assertThat(directory.team(manualId).memberIds()).contains(dora.id());

        // and back: the group brings the membership back
        signIn(new Browser(), email, subject, List.of(eng));
        assertThat(directory.team(engId).memberIds()).contains(dora.id());
    }

    @Test
    void anMcpClientsAuthorizationOffersTheProvidersAndSignsInThroughThem() {
        String name = "mcp" + unique("").replace("-", "").toLowerCase().substring(0, 6);
        String domain = name + ".example";
        registerProvider(name, domain);
        String gateway = admin.createGateway(unique("sso-gw"));
        String teamName = unique("mcp-users");
        String teamId = admin.createTeam(teamName);
        admin.grantGateway(gateway, teamId);

        String redirect = "http://localhost:7777/callback";
        gatehouse.authserver.OAuthDriver oauth = new gatehouse.authserver.OAuthDriver(BASE);
        String clientId = oauth.register(List.of(redirect)).path("client_id").asString();
        String verifier = gatehouse.authserver.OAuthDriver.verifier();
        String resource = BASE + "/gateway/v1/mcp?gateway=" + gateway;

        // the MCP client sends the person to authorize; not signed in, they land on the sign-in page
        Browser browser = new Browser();
        List<Browser.Page> toLogin = browser.follow(oauth.authorizeUrl(clientId, redirect, verifier, resource, "mcp-state"));
        Browser.Page login = toLogin.getLast();
        assertThat(login.url()).startsWith(BASE + "/login");
        String providerLink = "/oauth2/authorization/" + name;
        assertThat(login.body()).contains(providerLink).doesNotContain("id=\"login\"");

        // they choose the provider and sign in there; Gatehouse continues the authorization
        Browser.Page idpLogin = browser.follow(BASE + providerLink).getLast();
        String email = "erin@" + domain;
        String claims = Json.string(Map.of("email", email, "email_verified", true, "groups", List.of(teamName)));
        Browser.Page page = browser.submit(idpLogin, "name=\"username\"", Map.of("username", "erin-subject-" + name, "claims", claims));
        String code = null;
        for (int hop = 0; hop < 25 && code == null; hop++) {
            if (page.location() != null) {
                String next = java.net.URI.create(page.url()).resolve(page.location()).toString();
                if (next.startsWith(redirect)) {
                    assertThat(Browser.param(next, "state")).isEqualTo("mcp-state");
                    code = Browser.param(next, "code");
                    break;
                }
                page = browser.get(next);
            } else if (page.hasForm("id=\"choose\"")) {
                page = browser.submit(page, "id=\"choose\"", Map.of("gatewayId", gateway));
            } else if (page.hasForm("id=\"approve\"")) {
                page = browser.submit(page, "id=\"approve\"", Map.of());
            } else {
                throw new AssertionError("stuck at " + page.url() + " (" + page.status() + "): " + page.body());
            }
        }
        assertThat(code).as("authorization code after the provider's sign-in").isNotNull();
        String token = oauth.exchange(clientId, code, verifier, redirect).access();
        assertThat(token).isNotBlank();

        gatehouse.testing.McpTestClient mcp = new gatehouse.testing.McpTestClient(java.net.URI.create(resource), token);
        assertThat(mcp.initialize(gatehouse.testing.McpTestClient.capabilities()).status()).isEqualTo(200);
        User erin = directory.userByUsername(email).orElseThrow();
        assertThat(erin.source()).isEqualTo("sso:" + name);
        assertThat(directory.team(teamId).memberIds()).contains(erin.id());
    }
}
