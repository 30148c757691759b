package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Upstream credentials through the packaged jar against real upstreams whose authorization server
 * registers no clients ({@code oauth-upstream.mjs}: the TypeScript SDK's authorization-server
 * handlers with no registration endpoint). One upstream knows Gatehouse only as a pre-registered
 * client (id and secret configured with the server), another accepts Client ID Metadata Documents
 * and fetches Gatehouse's. A person connects through the wizard to both and calls each on their own
 * upstream token; then the provider revokes their tokens and the next call marks the identity
 * {@code rejected}, raises an alert and tells them where to renew it.
 *
 * <p>The jar, the upstreams and the gateway are shared; every test connects a person of its own
 * through the wizard, so no test depends on what another did or on the order they run in.
 */
class UpstreamCredentialsE2ETest {
    private static final String PASSWORD = "rosa-password-1";
    private static final String CLIENT_ID = "gatehouse-at-upstream";
    private static final String CLIENT_SECRET = "upstream-issued-secret-0123456789";

    private static NodePeers peers;
    private static Path dir;
    private static GatehouseJar gatehouse;
    private static final List<NodePeers.Background> upstreams = new ArrayList<>();
    private static final String API_KEY = "key-0123456789-right";
    private static int preMcp, preAuth, cimdMcp, cimdAuth, keyMcp;
    private static String gatewayId, preServer, cimdServer, keyServer;
    private static final AtomicInteger people = new AtomicInteger();
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        peers = NodePeers.fromEnvironment();
        dir = GatehouseJar.workDir("UpstreamCredentialsE2ETest");
        gatehouse = GatehouseJar.start(dir, "--gatehouse.upstream-oauth.loopback-allowed=true");
        String publicUrl = gatehouse.baseUrl();
        preMcp = GatehouseJar.freePort();
        preAuth = GatehouseJar.freePort();
        cimdMcp = GatehouseJar.freePort();
        cimdAuth = GatehouseJar.freePort();
        upstream("pre-registered", preMcp, preAuth, Map.of("CLIENT_ID", CLIENT_ID, "CLIENT_SECRET", CLIENT_SECRET,
                "REDIRECT_URI", publicUrl + "/connect/upstream/callback", "REFRESH", "1"));
        upstream("cimd", cimdMcp, cimdAuth, Map.of("CIMD", "1"));
        keyMcp = GatehouseJar.freePort();
        upstream("api-key", keyMcp, GatehouseJar.freePort(), Map.of("API_KEY", API_KEY, "API_KEY_HEADER", "X-API-Key"));
        gatewayId = gatehouse.createGateway("creds");
        Map<String, Object> pre = new LinkedHashMap<>();
        pre.put("name", "registered");
        pre.put("url", "http://127.0.0.1:" + preMcp + "/mcp");
        pre.put("oauth", Map.of("clientId", CLIENT_ID, "clientSecret", CLIENT_SECRET, "scopes", List.of("mcp:tools")));
        preServer = gatehouse.expect(201, "POST", "/servers", pre).path("id").asString();
        cimdServer = gatehouse.createHttpServer("metadata", "http://127.0.0.1:" + cimdMcp + "/mcp");
        gatehouse.expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + preServer, Map.of("identity", "personal", "prefix", "reg"));
        gatehouse.expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + cimdServer, Map.of("identity", "personal", "prefix", "cimd"));
        keyServer = gatehouse.expect(201, "POST", "/servers", Map.of("name", "apikey", "url", "http://127.0.0.1:" + keyMcp + "/mcp",
                "credentialHeader", Map.of("name", "X-API-Key", "format", "{token}"))).path("id").asString();
        gatehouse.expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + keyServer, Map.of("identity", "personal", "prefix", "key"));
    }

    /** A person of the gateway's team, with a connection of their own once the wizard ran. */
    private record Person(String user, String accessToken, String connectionId) {
    }

    /** A new user who may use the gateway, not yet connected. */
    private static String newUser() {
        String user = "rosa" + people.incrementAndGet();
        gatehouse.admin().person(user, PASSWORD, user + "@example.com", gatewayId);
        return user;
    }

    /** Runs the connection wizard as {@code user} (signing in to both OAuth upstreams, pasting the key) and then {@code steps}. */
    private static NodePeers.Run wizard(String user, String name, String key, String steps) {
        String url = gatehouse.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId;
        return peers.run(name, List.of(peers.node(), peers.dir().resolve("oauth-client.mjs").toString(),
                        "--url", url, "--username", user, "--password", PASSWORD, "--reveal-token",
                        "--tokens", "{\"apikey\": \"" + key + "\"}", steps),
                peers.dir(), Map.of(), dir, Duration.ofSeconds(180));
    }

    /** A new person connected to all three servers, each identity {@code ok}. */
    private static Person connected() {
        String user = newUser();
        NodePeers.Run run = wizard(user, "connect-" + user, API_KEY, "[]");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        Person p = new Person(user, run.report().path("accessToken").asString(), run.report().path("tokenClaims").path("cid").asString());
        assertThat(p.accessToken()).as(run.toString()).isNotBlank();
        assertThat(identity(p, preServer).path("state").asString()).isEqualTo("ok");
        assertThat(identity(p, cimdServer).path("state").asString()).isEqualTo("ok");
        return p;
    }

    private static void upstream(String name, int mcp, int auth, Map<String, String> env) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(env);
        all.put("MCP_PORT", Integer.toString(mcp));
        all.put("AUTH_PORT", Integer.toString(auth));
        NodePeers.Background b = peers.start(name, List.of(peers.node(), peers.dir().resolve("oauth-upstream.mjs").toString()),
                peers.dir(), all, dir);
        upstreams.add(b);
        String url = "http://127.0.0.1:" + mcp + "/test/stats";
        try {
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> b.isAlive()
                    && http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("upstream " + name + " did not come up: " + Files.readString(dir.resolve(name + ".err")), e);
        }
    }

    @AfterAll
    static void stop() {
        String log = "";
        if (gatehouse != null) {
            log = gatehouse.logText();
            gatehouse.close();
        }
        upstreams.forEach(NodePeers.Background::kill);
        // Catalog changes here reach GET streams whose clients have left: the write fails and the stream
        // ends quietly, not through the container's error page (Spring warned once per such stream).
        assertThat(log.lines().filter(l -> l.contains("Response already committed")).toList()).isEmpty();
    }

    private static JsonNode stats(int authPort) throws Exception {
        return E2eJson.parse(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + authPort + "/test/stats")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void theAdminApiKeepsTheClientSecretSealedAndNeverAnswersIt() {
        JsonNode server = gatehouse.expect(200, "GET", "/servers/" + preServer, null);
        assertThat(server.path("oauth").path("clientId").asString()).isEqualTo(CLIENT_ID);
        assertThat(server.path("oauth").path("clientSecret").asString()).isEqualTo("<redacted>");
        assertThat(server.path("oauth").path("scopes").toString()).contains("mcp:tools");
        assertThat(gatehouse.admin().send("GET", "/servers", null).text()).doesNotContain(CLIENT_SECRET);
        // Bad shapes are answered with the field and what is expected.
        JsonNode bad = gatehouse.expect(400, "POST", "/servers", Map.of("name", "bad", "url", "http://127.0.0.1:1/mcp",
                "oauth", Map.of("clientSecret", "x")));
        assertThat(bad.toString()).contains("oauth.clientId");
        JsonNode half = gatehouse.expect(400, "POST", "/servers", Map.of("name", "bad2", "url", "http://127.0.0.1:1/mcp",
                "oauth", Map.of("clientId", "x", "authorizationEndpoint", "https://as.example/authorize")));
        assertThat(half.toString()).contains("oauth.tokenEndpoint");
    }

    @Test
    void aWrongPastedKeyIsRefusedOnTheWizardsForm() {
        String user = newUser();
        int connectionsBefore = gatehouse.expect(200, "GET", "/connections?gateway=" + gatewayId, null).size();
        NodePeers.Run run = wizard(user, "oauth-client-wrong-key", "not-the-key", "[]");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        JsonNode authorization = run.report().path("authorization");
        assertThat(authorization.path("error").asString()).as(run.toString()).isEqualTo("refused_on_form");
        assertThat(authorization.path("message").asString()).contains("refused this token (HTTP 401)").contains("X-API-Key");
        assertThat(gatehouse.expect(200, "GET", "/connections?gateway=" + gatewayId, null).size()).as("no connection was made")
                .isEqualTo(connectionsBefore);
        // Before the key, the wizard signed the person in to both OAuth upstreams (those credentials are kept).
        String pages = authorization.path("pages").toString();
        assertThat(pages).as("both upstreams' authorization pages were visited").contains(":" + preAuth + "/authorize")
                .contains(":" + cimdAuth + "/authorize");
    }

    @Test
    void aPersonCompletesTheWizardWithAPreRegisteredClientAndAClientIdMetadataDocument() throws Exception {
        NodePeers.Run run = wizard(newUser(), "oauth-client", API_KEY,
                "[{\"op\":\"listTools\"},{\"op\":\"callTool\",\"name\":\"reg__whoami\",\"args\":{\"note\":\"one\"}},"
                        + "{\"op\":\"callTool\",\"name\":\"cimd__whoami\",\"args\":{\"note\":\"two\"}},"
                        + "{\"op\":\"callTool\",\"name\":\"key__whoami\",\"args\":{\"note\":\"three\"}}]");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = run.report();
        assertThat(report.path("steps").get(1).path("result").toString()).contains("client " + CLIENT_ID + " says one");
        String cimdUrl = gatehouse.baseUrl() + "/oauth/upstream-client.json";
        assertThat(report.path("steps").get(2).path("result").toString()).contains("client " + cimdUrl + " says two");
        assertThat(report.path("steps").get(3).path("result").toString()).as("the key went in X-API-Key").contains("client api-key says three");

        JsonNode pre = stats(preAuth);
        // Other tests' people sign in too: every authorization request there was made with the one configured client.
        assertThat(pre.path("authorizeClientIds").valueStream().map(JsonNode::asString).toList()).isNotEmpty()
                .allSatisfy(id -> assertThat(id).isEqualTo(CLIENT_ID));
        assertThat(pre.path("tokenGrants").toString()).contains("authorization_code");
        JsonNode cimd = stats(cimdAuth);
        assertThat(cimd.path("metadataDocumentsFetched").toString()).contains(cimdUrl);
        assertThat(cimd.path("authorizeClientIds").valueStream().map(JsonNode::asString).toList()).isNotEmpty()
                .allSatisfy(id -> assertThat(id).isEqualTo(cimdUrl));

        String connectionId = report.path("tokenClaims").path("cid").asString();
        assertThat(report.path("accessToken").asString()).isNotBlank();
        JsonNode identities = gatehouse.expect(200, "GET", "/connections/" + connectionId, null).path("identities");
        assertThat(identities.toString()).contains("\"state\":\"ok\"").doesNotContain("rejected");
    }

    private static NodePeers.Run call(Person p, String name, String tool, String note) {
        return peers.sdkClient(name, gatehouse.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId, p.accessToken(),
                "[{\"op\":\"callTool\",\"name\":\"" + tool + "\",\"args\":{\"note\":\"" + note + "\"}}]", dir, "--no-elicitation");
    }

    private static void post(String url) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    private static JsonNode identity(Person p, String serverId) {
        for (JsonNode i : gatehouse.expect(200, "GET", "/connections/" + p.connectionId(), null).path("identities")) {
            if (i.path("serverId").asString().equals(serverId)) {
                return i;
            }
        }
        throw new AssertionError("no identity for " + serverId);
    }

    /** How many refresh-token grants the pre-registered upstream's provider answered. */
    private static long refreshes() throws Exception {
        return stats(preAuth).path("tokenGrants").valueStream()
                .filter(g -> g.path("grant").asString().equals("refresh_token") && g.path("clientId").asString().equals(CLIENT_ID)).count();
    }

    @Test
    void anAccessTokenRevokedAtTheProviderIsRefreshedOnceAndTheCallGoesOn() throws Exception {
        Person p = connected();
        long refreshesBefore = refreshes();
        post("http://127.0.0.1:" + preAuth + "/test/revoke-access");
        NodePeers.Run run = call(p, "after-revoke-access", "reg__whoami", "four");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.report().path("steps").get(0).path("result").toString()).contains("client " + CLIENT_ID + " says four");
        assertThat(refreshes()).as("one refresh with the pre-registered client").isEqualTo(refreshesBefore + 1);
        assertThat(identity(p, preServer).path("state").asString()).isEqualTo("ok");
    }

    @Test
    void aCredentialRevokedAtTheProviderIsMarkedRejectedAlertedAndTheCallSaysWhereToRenewIt() throws Exception {
        Person p = connected();
        // The registered upstream's token was just refreshed (its access token revoked once), so the next refusal
        // within minutes is not refreshed again: it is final.
        post("http://127.0.0.1:" + preAuth + "/test/revoke-access");
        assertThat(call(p, "refreshed-" + p.user(), "reg__whoami", "refreshed").report().path("steps").get(0).path("ok").asBoolean()).isTrue();
        post("http://127.0.0.1:" + preAuth + "/test/revoke-all");
        post("http://127.0.0.1:" + cimdAuth + "/test/revoke-all");
        for (String[] c : new String[][] {{"reg__whoami", preServer, "registered"}, {"cimd__whoami", cimdServer, "metadata"}}) {
            NodePeers.Run run = call(p, "after-revoke-" + c[2], c[0], "five");
            JsonNode step = run.report().path("steps").get(0);
            assertThat(step.path("ok").asBoolean()).as(run.toString()).isFalse();
            String error = step.path("error").toString();
            assertThat(error).as(run.toString()).contains("Server '" + c[2] + "' refused your credential for it")
                    .contains(gatehouse.baseUrl() + "/connect/servers/" + c[1]);
            assertThat(identity(p, c[1]).path("state").asString()).isEqualTo("rejected");
        }
        assertThat(rejectedAlerts(p, "registered")).singleElement().satisfies(a -> assertThat(a.path("state").asString()).isEqualTo("open"));
        assertThat(rejectedAlerts(p, "metadata")).singleElement().satisfies(a -> assertThat(a.path("state").asString()).isEqualTo("open"));
        // The next call does not go upstream at all: it is refused at once with the same advice.
        int refusedBefore = stats(preAuth).path("refused").asInt();
        NodePeers.Run again = call(p, "after-rejected", "reg__whoami", "six");
        assertThat(again.report().path("steps").get(0).path("error").toString()).contains("/connect/servers/" + preServer);
        assertThat(stats(preAuth).path("refused").asInt()).as("no request reached the upstream").isEqualTo(refusedBefore);
    }

    private static NodePeers.Run browse(Person p, String name, String url, Map<String, String> tokens) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEHOUSE_LOGIN_USER", p.user());
        env.put("GATEHOUSE_LOGIN_PASSWORD", PASSWORD);
        env.put("GATEHOUSE_LOGIN_TOKENS", E2eJson.write(tokens));
        env.put("GATEHOUSE_LOGIN_REDIRECT_PREFIX", "never:");
        env.put("GATEHOUSE_LOGIN_PRINT", "1");
        return peers.run(name, List.of(peers.node(), peers.dir().resolve("oauth-browser.mjs").toString(), url), peers.dir(), env, dir,
                Duration.ofSeconds(120));
    }

    /** Revokes everything at the server's provider and makes one call, which marks the person's identity for it refused. */
    private static void refusedOnce(Person p, String server, int authPort, String tool, String expectedState) throws Exception {
        post("http://127.0.0.1:" + authPort + "/test/revoke-all");
        NodePeers.Run refused = call(p, "refused-" + p.user() + "-" + tool, tool, "refused");
        assertThat(refused.report().path("steps").get(0).path("ok").asBoolean()).as(refused.toString()).isFalse();
        assertThat(identity(p, server).path("state").asString()).isEqualTo(expectedState);
    }

    @Test
    void theRenewPageRefusesAWrongKeyAndSignsThePersonInAgain() throws Exception {
        Person p = connected();
        refusedOnce(p, preServer, preAuth, "reg__whoami", "refresh-failed");
        NodePeers.Run wrong = browse(p, "renew-wrong-key", gatehouse.baseUrl() + "/connect/servers/" + keyServer, Map.of("apikey", "wrong"));
        assertThat(wrong.report().path("error").asString()).as(wrong.toString()).isEqualTo("refused_on_form");
        assertThat(identity(p, keyServer).path("state").asString()).as("the good key stays").isEqualTo("ok");

        NodePeers.Run renew = browse(p, "renew-sign-in", gatehouse.baseUrl() + "/connect/servers/" + preServer, Map.of());
        assertThat(renew.exitCode()).as(renew.toString()).isZero();
        assertThat(renew.report().path("done").asString()).contains("Saved");
        assertThat(identity(p, preServer).path("state").asString()).isEqualTo("ok");
        NodePeers.Run run = call(p, "after-renew", "reg__whoami", "seven");
        assertThat(run.report().path("steps").get(0).path("result").toString()).as(run.toString()).contains("says seven");
    }

    private static NodePeers.Run consentingClient(Person p, String name, String script, String tool, String note) {
        return consentingClient(p, name, script,
                "[{\"op\":\"callTool\",\"name\":\"" + tool + "\",\"args\":{\"note\":\"" + note + "\"},\"timeoutMs\":180000}]");
    }

    private static NodePeers.Run consentingClient(Person p, String name, String script, String steps) {
        Map<String, String> env = Map.of("GATEHOUSE_LOGIN_USER", p.user(), "GATEHOUSE_LOGIN_PASSWORD", PASSWORD);
        return peers.run(name, List.of(peers.node(), peers.dir().resolve(script).toString(), "--url",
                        gatehouse.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId, "--token", p.accessToken(), "--open-url", steps),
                peers.dir(), env, dir, Duration.ofSeconds(240));
    }

    private static void assertSentToThePageAndCompleted(Person p, NodePeers.Run run, String serverId, String note) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = run.report();
        JsonNode asked = report.path("serverRequests").get(0);
        assertThat(asked.path("method").asString()).as(run.toString()).isEqualTo("elicitation/create");
        assertThat(asked.path("params").path("mode").asString()).isEqualTo("url");
        assertThat(asked.path("params").path("url").asString()).isEqualTo(gatehouse.baseUrl() + "/connect/servers/" + serverId);
        assertThat(asked.path("browser").path("done").asString()).as(run.toString()).contains("Saved");
        assertThat(report.path("steps").get(0).path("result").toString()).as(run.toString()).contains("says " + note);
        assertThat(identity(p, serverId).path("state").asString()).isEqualTo("ok");
    }

    @Test
    void aSessionClientWithUrlElicitationIsSentToTheServersPageMidCallAndTheCallCompletes() throws Exception {
        Person p = connected();
        refusedOnce(p, cimdServer, cimdAuth, "cimd__whoami", "rejected");
        NodePeers.Run run = consentingClient(p, "consent-2025", "sdk-client.mjs", "cimd__whoami", "eight");
        assertSentToThePageAndCompleted(p, run, cimdServer, "eight");
        assertThat(run.report().path("notifications").toString()).as("the client heard the elicitation complete")
                .contains("notifications/elicitation/complete");
    }

    @Test
    void aStatelessClientGetsTheSameElicitationInAnInputRequiredResultAndItsRetryCompletes() throws Exception {
        Person p = connected();
        // Its refresh token was revoked too: the one refresh fails, so this time it is "expired past refresh".
        refusedOnce(p, preServer, preAuth, "reg__whoami", "refresh-failed");
        NodePeers.Run run = consentingClient(p, "consent-2026", "sdk2-client.mjs", "reg__whoami", "nine");
        assertSentToThePageAndCompleted(p, run, preServer, "nine");
        assertThat(run.report().path("protocolVersion").asString()).as("the client spoke 2026-07-28").isEqualTo("2026-07-28");
        long calls = run.report().path("httpLog").valueStream().filter(h -> "tools/call".equals(h.path("rpc").asString())).count();
        assertThat(calls).as("the call answered input_required, then its retry completed: %s", run.report().path("httpLog")).isEqualTo(2);
    }

    /** The identity-rejected alerts about one person's credential for one server, with their states. */
    private static List<JsonNode> rejectedAlerts(Person p, String serverName) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode a : gatehouse.expect(200, "GET", "/alerts?type=identity-rejected", null)) {
            if (a.path("message").asString().contains("User '" + p.user() + "'s credential for server '" + serverName + "'")) {
                found.add(a);
            }
        }
        return found;
    }

    @Test
    void theFirstCallThatMeetsARefusalAsksTheSessionClientAndCompletesAndTheAlertIsResolved() throws Exception {
        Person p = connected();
        // The client's session with the upstream is open and working when the provider revokes everything:
        // the next call is the first to meet the refusal (a 401 on a call, no refresh token to save it).
        Path opened = dir.resolve("first-refusal-opened");
        Path revoked = dir.resolve("first-refusal-revoked");
        Files.deleteIfExists(opened);
        Files.deleteIfExists(revoked);
        Map<String, String> env = Map.of("GATEHOUSE_LOGIN_USER", p.user(), "GATEHOUSE_LOGIN_PASSWORD", PASSWORD);
        NodePeers.Background client = peers.start("first-refusal-2025", List.of(peers.node(), peers.dir().resolve("sdk-client.mjs").toString(),
                "--url", gatehouse.baseUrl() + "/gateway/v1/mcp?gateway=" + gatewayId, "--token", p.accessToken(), "--open-url",
                "[{\"op\":\"callTool\",\"name\":\"cimd__whoami\",\"args\":{\"note\":\"before\"}},"
                        + "{\"op\":\"signal\",\"file\":\"" + opened + "\"},"
                        + "{\"op\":\"waitFile\",\"file\":\"" + revoked + "\",\"timeoutMs\":120000},"
                        + "{\"op\":\"callTool\",\"name\":\"cimd__whoami\",\"args\":{\"note\":\"ten\"},\"timeoutMs\":180000}]"),
                peers.dir(), env, dir);
        await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(opened) || !client.isAlive());
        post("http://127.0.0.1:" + cimdAuth + "/test/revoke-all");
        assertThat(identity(p, cimdServer).path("state").asString()).as("nothing known yet: the provider alone knows").isEqualTo("ok");
        int refusedBefore = stats(cimdAuth).path("refused").asInt();
        Files.writeString(revoked, "go");
        NodePeers.Run run = client.await(Duration.ofSeconds(240));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode report = run.report();
        assertThat(report.path("steps").get(0).path("result").toString()).as(run.toString()).contains("says before");
        JsonNode asked = report.path("serverRequests").get(0);
        assertThat(asked.path("params").path("url").asString()).as(run.toString()).isEqualTo(gatehouse.baseUrl() + "/connect/servers/" + cimdServer);
        assertThat(asked.path("browser").path("done").asString()).as(run.toString()).contains("Saved");
        assertThat(report.path("steps").get(3).path("result").toString()).as(run.toString()).contains("says ten");
        assertThat(identity(p, cimdServer).path("state").asString()).isEqualTo("ok");
        assertThat(stats(cimdAuth).path("refused").asInt()).as("the call met the upstream's 401 first").isGreaterThan(refusedBefore);
        assertThat(run.report().path("notifications").toString()).contains("notifications/elicitation/complete");
        // Raised when the upstream refused the credential, resolved when the person connected again.
        assertThat(rejectedAlerts(p, "metadata")).singleElement().satisfies(a -> assertThat(a.path("state").asString()).isEqualTo("resolved"));
    }

    @Test
    void theFirstCallThatMeetsARefusalAsksTheStatelessClientAndItsRetryCompletes() throws Exception {
        Person p = connected();
        post("http://127.0.0.1:" + preAuth + "/test/revoke-all");
        NodePeers.Run run = consentingClient(p, "first-refusal-2026", "sdk2-client.mjs", "reg__whoami", "eleven");
        assertSentToThePageAndCompleted(p, run, preServer, "eleven");
        assertThat(run.report().path("protocolVersion").asString()).isEqualTo("2026-07-28");
        long calls = run.report().path("httpLog").valueStream().filter(h -> "tools/call".equals(h.path("rpc").asString())).count();
        assertThat(calls).as("input_required at the refusal, then the retry: %s", run.report().path("httpLog")).isEqualTo(2);
    }

    @Test
    void aPromptWithAnUnprefixedNameAsksTheSessionClientWhenTheUpstreamRefuses() throws Exception {
        Person p = connected();
        // The metadata server's names are unprefixed for this test; the gateway has other servers, so the name is placed by listing.
        gatehouse.expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + cimdServer, Map.of("identity", "personal", "prefix", ""));
        NodePeers.Run run;
        try {
            post("http://127.0.0.1:" + cimdAuth + "/test/revoke-all");
            run = consentingClient(p, "prompt-unprefixed-2025", "sdk-client.mjs",
                    "[{\"op\":\"getPrompt\",\"name\":\"greeting\",\"timeoutMs\":180000}]");
        } finally {
            gatehouse.expect(200, "PUT", "/gateways/" + gatewayId + "/servers/" + cimdServer, Map.of("identity", "personal", "prefix", "cimd"));
        }
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode asked = run.report().path("serverRequests").get(0);
        assertThat(asked.path("params").path("url").asString()).as(run.toString()).isEqualTo(gatehouse.baseUrl() + "/connect/servers/" + cimdServer);
        assertThat(asked.path("browser").path("done").asString()).as(run.toString()).contains("Saved");
        assertThat(run.report().path("steps").get(0).path("result").toString()).as(run.toString())
                .contains("greeting for client " + gatehouse.baseUrl() + "/oauth/upstream-client.json");
        assertThat(identity(p, cimdServer).path("state").asString()).isEqualTo("ok");
    }

    @Test
    void aResourceReadAsksTheStatelessClientWhenTheCredentialIsRefusedAndItsRetryReads() throws Exception {
        Person p = connected();
        post("http://127.0.0.1:" + cimdAuth + "/test/revoke-all");
        String uri = "whoami://127.0.0.1:" + cimdMcp;
        NodePeers.Run run = consentingClient(p, "resource-2026", "sdk2-client.mjs",
                "[{\"op\":\"readResource\",\"uri\":\"" + uri + "\",\"timeoutMs\":180000}]");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode asked = run.report().path("serverRequests").get(0);
        assertThat(asked.path("params").path("url").asString()).as(run.toString()).isEqualTo(gatehouse.baseUrl() + "/connect/servers/" + cimdServer);
        assertThat(run.report().path("steps").get(0).path("result").toString()).as(run.toString())
                .contains("resource read by client " + gatehouse.baseUrl() + "/oauth/upstream-client.json");
        long reads = run.report().path("httpLog").valueStream().filter(h -> "resources/read".equals(h.path("rpc").asString())).count();
        assertThat(reads).as("input_required, then the retry: %s", run.report().path("httpLog")).isEqualTo(2);
    }

    @Test
    void aRejectedCredentialThatAnAdministratorRefreshesWorksAgainAndItsAlertIsResolved() throws Exception {
        Person p = connected();
        // The pre-registered upstream's access token is refused twice within minutes: refreshed the first time,
        // rejected the second (its refresh token still good at the provider).
        post("http://127.0.0.1:" + preAuth + "/test/revoke-access");
        assertThat(call(p, "refused-once", "reg__whoami", "twelve").report().path("steps").get(0).path("ok").asBoolean()).isTrue();
        post("http://127.0.0.1:" + preAuth + "/test/revoke-access");
        NodePeers.Run refused = call(p, "refused-twice", "reg__whoami", "thirteen");
        assertThat(refused.report().path("steps").get(0).path("ok").asBoolean()).as(refused.toString()).isFalse();
        assertThat(identity(p, preServer).path("state").asString()).isEqualTo("rejected");
        assertThat(rejectedAlerts(p, "registered")).singleElement().satisfies(a -> assertThat(a.path("state").asString()).isEqualTo("open"));

        gatehouse.expect(200, "POST", "/connections/" + p.connectionId() + "/identities/" + preServer + "/refresh", null);
        assertThat(identity(p, preServer).path("state").asString()).isEqualTo("ok");
        assertThat(rejectedAlerts(p, "registered")).singleElement().satisfies(a -> assertThat(a.path("state").asString()).isEqualTo("resolved"));
        NodePeers.Run after = call(p, "after-refresh", "reg__whoami", "fourteen");
        assertThat(after.report().path("steps").get(0).path("result").toString()).as(after.toString()).contains("says fourteen");
    }

    @Test
    void tokensGivenThroughTheAdminApiAreTriedAgainstTheUpstreamBeforeTheyAreSaved() {
        // An API-token connection's own key for the key server: a wrong one is refused, nothing is created.
        String host = gatehouse.expect(201, "POST", "/hosts", Map.of("name", "agents")).path("id").asString();
        JsonNode wrong = gatehouse.expect(400, "POST", "/hosts/" + host + "/connections",
                Map.of("gatewayId", gatewayId, "identities", Map.of(keyServer, Map.of("token", "wrong-key"))));
        assertThat(wrong.toString()).as("%s", wrong).contains("identities." + keyServer + ".token")
                .contains("the token was not saved: Server 'apikey' refused this token (HTTP 401)").doesNotContain("wrong-key");
        assertThat(gatehouse.expect(200, "GET", "/connections?gateway=" + gatewayId, null).toString()).doesNotContain(host);
        JsonNode issued = gatehouse.expect(201, "POST", "/hosts/" + host + "/connections",
                Map.of("gatewayId", gatewayId, "identities", Map.of(keyServer, Map.of("token", API_KEY))));
        String cid = issued.path("id").asString();
        JsonNode replaced = gatehouse.expect(400, "PUT", "/connections/" + cid + "/identities/" + keyServer, Map.of("token", "other-wrong"));
        assertThat(replaced.toString()).contains("refused this token (HTTP 401)");
        gatehouse.expect(200, "PUT", "/connections/" + cid + "/identities/" + keyServer, Map.of("token", API_KEY));

        // A gateway's shared key: refused when wrong (the assignment is not made), saved when right.
        String shared = gatehouse.createGateway("shared-key");
        JsonNode refusedShared = gatehouse.expect(400, "PUT", "/gateways/" + shared + "/servers/" + keyServer,
                Map.of("identity", "shared", "prefix", "key", "token", "wrong-shared"));
        assertThat(refusedShared.toString()).contains("\"token\"").contains("refused this token (HTTP 401)");
        assertThat(gatehouse.expect(200, "GET", "/gateways/" + shared + "/servers", null).toString()).doesNotContain(keyServer);
        gatehouse.expect(200, "PUT", "/gateways/" + shared + "/servers/" + keyServer,
                Map.of("identity", "shared", "prefix", "key", "token", API_KEY));
        assertThat(gatehouse.expect(400, "PUT", "/gateways/" + shared + "/servers/" + keyServer + "/identity",
                Map.of("token", "wrong-again")).toString()).contains("refused this token (HTTP 401)");
        gatehouse.expect(200, "PUT", "/gateways/" + shared + "/servers/" + keyServer + "/identity", Map.of("token", API_KEY));
    }
}
