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
}
