package gatehouse.gateway.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogSnapshot;
import gatehouse.catalog.Connection;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.IdentityScheme;
import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;
import gatehouse.gateway.pipeline.ClientPrompt;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.upstream.CredentialUnusableException;
import gatehouse.identity.ConsentRequests;
import gatehouse.identity.UpstreamCredentials;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The consent step alone, with a scripted client: who is asked, what the elicitation says, how the
 * call goes on once the credential is there, and what a client that cannot (or will not) open the
 * page gets.
 */
class ConsentStepTest {
    private static final GatewayDef GATEWAY = new GatewayDef("gw_1", "one", Instant.EPOCH);
    private static final ServerDef SERVER = new ServerDef("srv_1", "crm", Transport.STREAMABLE_HTTP, List.of(), Map.of(),
            "https://crm.example/mcp", Map.of(), Instant.EPOCH, Instant.EPOCH);
    private static final String RENEW = "https://gatehouse.example/connect/servers/srv_1";
    private static final UpstreamCredentials.Unusable REJECTED = new UpstreamCredentials.Unusable("rejected",
            "Server 'crm' refused your credential for it. Renew it at " + RENEW + ".", RENEW);

    private final AtomicReference<UpstreamCredentials.Presented> presented = new AtomicReference<>(REJECTED);
    private final ConsentStep step = new ConsentStep(new ConsentRequests((c, g, s) -> presented.get()), Duration.ofSeconds(30));

    /** A scripted client: its capability, its answer to the elicitation, what it was told. */
    private static final class ScriptedClient implements ClientPrompt {
        final boolean url;
        final boolean stateless;
        final String action;
        final Runnable whileAsked;
        final List<ObjectNode> asked = new ArrayList<>();
        final List<ObjectNode> notified = new ArrayList<>();
        JsonNode answer;

        ScriptedClient(boolean url, boolean stateless, String action, Runnable whileAsked) {
            this.url = url;
            this.stateless = stateless;
            this.action = action;
            this.whileAsked = whileAsked;
        }

        @Override
        public boolean urlElicitation() {
            return url;
        }

        @Override
        public JsonNode answer(String key) {
            return answer;
        }

        @Override
        public JsonNode ask(String key, ObjectNode request, Duration timeout) {
            asked.add(request);
            if (stateless) {
                ObjectNode requests = Json.object();
                requests.set(key, request);
                throw new ClientPrompt.InputRequired(requests);
            }
            Thread.ofVirtual().start(whileAsked); // the person signs in while the call waits
            return Json.object().put("action", action);
        }

        @Override
        public void notify(ObjectNode notification) {
            notified.add(notification);
        }
    }

    private static Exchange call(String userId, String tool, ClientPrompt prompt) {
        return request(userId, "tools/call", Json.object().put("name", tool), prompt, true);
    }

    /** A request on a gateway with the personal server crm (prefix "crm") and, unless {@code alone}, a shared server docs (no prefix). */
    private static Exchange request(String userId, String method, ObjectNode params, ClientPrompt prompt, boolean withDocs) {
        Connection c = new Connection("con_1", "gw_1", "host_1", userId, true, "hash", Instant.EPOCH);
        List<Assignment> assignments = new ArrayList<>(List.of(new Assignment("gw_1", "srv_1", IdentityScheme.PERSONAL, "crm", Instant.EPOCH)));
        List<ServerDef> servers = new ArrayList<>(List.of(SERVER));
        if (withDocs) {
            servers.add(DOCS);
            assignments.add(new Assignment("gw_1", "srv_2", IdentityScheme.SHARED, "", Instant.EPOCH));
        }
        CatalogSnapshot catalog = CatalogSnapshot.of(servers, List.of(GATEWAY), assignments, List.of(c), 1);
        ObjectNode request = JsonRpc.request(7, method, params);
        Exchange x = new Exchange(System.nanoTime(), new Exchange.Caller(c, GATEWAY, catalog), Exchange.Generation.SESSION, method,
                request);
        x.prompt(prompt);
        return x;
    }

    private static final ServerDef DOCS = new ServerDef("srv_2", "docs", Transport.STREAMABLE_HTTP, List.of(), Map.of(),
            "https://docs.example/mcp", Map.of(), Instant.EPOCH, Instant.EPOCH);

    private static CredentialUnusableException refusedUpstream() {
        return new CredentialUnusableException("srv_1", "crm", "rejected", REJECTED.reason(), RENEW);
    }

    @Test
    void onAGatewayWithOneServerAnUnprefixedNameAPromptAndAResourceReadAskBeforeRouting() {
        for (ObjectNode[] r : new ObjectNode[][] {{Json.object().put("name", "find"), Json.object().put("m", "tools/call")},
                {Json.object().put("name", "greeting"), Json.object().put("m", "prompts/get")},
                {Json.object().put("uri", "crm://accounts/1"), Json.object().put("m", "resources/read")}}) {
            presented.set(REJECTED);
            ScriptedClient client = new ScriptedClient(true, false, "accept", this::signsIn);
            Verdict v = step.beforeRouting(request("usr_1", r[1].path("m").asString(), r[0], client, false));
            assertThat(v).as(r[1].toString()).isInstanceOf(Verdict.Flag.class);
            assertThat(client.asked).singleElement().satisfies(q -> assertThat(q.path("params").path("url").asString()).isEqualTo(RENEW));
        }
    }

    @Test
    void aCredentialFoundUnusableAfterRoutingAsksThePersonAndTheRequestGoesAgain() {
        // Several servers and an unprefixed name: nothing is known before routing, so nothing is asked then.
        ScriptedClient client = new ScriptedClient(true, false, "accept", this::signsIn);
        Exchange x = request("usr_1", "resources/read", Json.object().put("uri", "crm://accounts/1"), client, true);
        assertThat(step.beforeRouting(x)).isInstanceOf(Verdict.Pass.class);
        assertThat(client.asked).isEmpty();
        // Routing (or the upstream's 401) finds the person's credential unusable: asked, waited for, go again.
        Verdict v = step.onCredentialUnusable(x, refusedUpstream());
        assertThat(v).isInstanceOf(Verdict.Flag.class);
        assertThat(client.asked).singleElement().satisfies(q -> assertThat(q.path("params").path("url").asString()).isEqualTo(RENEW));
        assertThat(client.notified).singleElement().satisfies(n -> assertThat(n.path("method").asString())
                .isEqualTo("notifications/elicitation/complete"));
        // Never twice in one request.
        presented.set(REJECTED);
        assertThat(step.onCredentialUnusable(x, refusedUpstream())).isInstanceOf(Verdict.Pass.class);
        assertThat(client.asked).hasSize(1);
    }

    @Test
    void aStatelessCallThatMeetsARefusalIsAnsweredWithTheQuestionAndItsRetryWaitsForTheCredential() {
        ScriptedClient client = new ScriptedClient(true, true, "accept", () -> { });
        Exchange first = request("usr_1", "tools/call", Json.object().put("name", "find"), client, true);
        assertThat(step.beforeRouting(first)).isInstanceOf(Verdict.Pass.class);
        assertThatThrownBy(() -> step.onCredentialUnusable(first, refusedUpstream()))
                .isInstanceOfSatisfying(ClientPrompt.InputRequired.class, ir -> assertThat(ir.inputRequests()
                        .path(ConsentStep.key("srv_1")).path("params").path("url").asString()).isEqualTo(RENEW));
        // The retry carries the answer; the person finishes while it waits; the answer is taken out.
        client.answer = Json.object().put("action", "accept");
        ObjectNode params = Json.object().put("name", "find");
        params.set("inputResponses", Json.object().set(ConsentStep.key("srv_1"), client.answer));
        Exchange retry = request("usr_1", "tools/call", params, client, true);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            signsIn();
        });
        assertThat(step.beforeRouting(retry)).isInstanceOfSatisfying(Verdict.Replace.class, r ->
                assertThat(r.message().path("params").has("inputResponses")).isFalse());
        assertThat(presented.get()).isInstanceOf(UpstreamCredentials.Bearer.class);
    }

    @Test
    void aRefusalOfACredentialThatIsNotThePersonsToFixIsLeftAsItIs() {
        ScriptedClient client = new ScriptedClient(true, false, "accept", this::signsIn);
        Exchange x = request("usr_1", "tools/call", Json.object().put("name", "find"), client, true);
        assertThat(step.onCredentialUnusable(x, new CredentialUnusableException("srv_2", "docs", "rejected",
                "an administrator must set a new one", null))).isInstanceOf(Verdict.Pass.class);
        assertThat(step.onCredentialUnusable(request("usr_1", "tools/list", Json.object(), client, true), refusedUpstream()))
                .isInstanceOf(Verdict.Pass.class);
        assertThat(client.asked).isEmpty();
    }

    private void signsIn() {
        presented.set(new UpstreamCredentials.Bearer("fresh"));
    }

    @Test
    void aSessionClientIsSentToTheServersPageAndTheCallGoesOnOnceTheCredentialIsThere() {
        ScriptedClient client = new ScriptedClient(true, false, "accept", this::signsIn);
        Verdict v = step.beforeRouting(call("usr_1", "crm__find", client));
        assertThat(v).isInstanceOf(Verdict.Flag.class);
        ObjectNode params = (ObjectNode) client.asked.getFirst().get("params");
        assertThat(client.asked.getFirst().path("method").asString()).isEqualTo("elicitation/create");
        assertThat(params.path("mode").asString()).isEqualTo("url");
        assertThat(params.path("url").asString()).isEqualTo(RENEW);
        assertThat(params.path("message").asString()).contains("'crm'").contains("refused your last one");
        assertThat(client.notified).singleElement().satisfies(n -> {
            assertThat(n.path("method").asString()).isEqualTo("notifications/elicitation/complete");
            assertThat(n.path("params").path("elicitationId").asString()).isEqualTo(params.path("elicitationId").asString());
        });
    }

    @Test
    void aDeclineIsAnsweredWithTheErrorAndTheLink() {
        ScriptedClient client = new ScriptedClient(true, false, "decline", () -> { });
        Verdict v = step.beforeRouting(call("usr_1", "crm__find", client));
        assertThat(v).isInstanceOfSatisfying(Verdict.Deny.class, d -> {
            assertThat(d.message()).contains("Renew it at " + RENEW);
            assertThat(d.data().path("identity").asString()).isEqualTo("rejected");
            assertThat(d.data().path("renewUrl").asString()).isEqualTo(RENEW);
        });
        assertThat(client.notified).isEmpty();
    }

    @Test
    void aStatelessRequestIsAnsweredWithTheQuestionAndItsRetryGoesOnWithoutTheAnswers() {
        ScriptedClient client = new ScriptedClient(true, true, "accept", () -> { });
        assertThatThrownBy(() -> step.beforeRouting(call("usr_1", "crm__find", client)))
                .isInstanceOfSatisfying(ClientPrompt.InputRequired.class, ir -> assertThat(ir.inputRequests()
                        .path(ConsentStep.key("srv_1")).path("params").path("url").asString()).isEqualTo(RENEW));

        signsIn();
        client.answer = Json.object().put("action", "accept");
        Exchange retry = call("usr_1", "crm__find", client);
        ((ObjectNode) retry.request().get("params")).set("inputResponses", Json.object().set(ConsentStep.key("srv_1"), client.answer));
        Verdict v = step.beforeRouting(retry);
        assertThat(v).isInstanceOfSatisfying(Verdict.Replace.class, r -> {
            assertThat(r.message().path("params").has("inputResponses")).isFalse();
            assertThat(r.message().path("params").path("name").asString()).isEqualTo("crm__find");
        });
    }

    @Test
    void nobodyIsAskedWhenNothingIsMissingOrTheClientCannotOpenAUrlOrTheCredentialIsNotThePersonsToFix() {
        ScriptedClient noUrl = new ScriptedClient(false, false, "accept", () -> { });
        assertThat(step.beforeRouting(call("usr_1", "crm__find", noUrl))).isInstanceOf(Verdict.Pass.class);
        assertThat(noUrl.asked).isEmpty();

        ScriptedClient able = new ScriptedClient(true, false, "accept", () -> { });
        presented.set(new UpstreamCredentials.Unusable("missing", "An administrator can add one.")); // an API-token connection's
        assertThat(step.beforeRouting(call("usr_1", "crm__find", able))).isInstanceOf(Verdict.Pass.class);
        presented.set(new UpstreamCredentials.Bearer("ok"));
        assertThat(step.beforeRouting(call("usr_1", "crm__find", able))).isInstanceOf(Verdict.Pass.class);
        presented.set(REJECTED);
        assertThat(step.beforeRouting(call(null, "crm__find", able))).as("no person behind the connection").isInstanceOf(Verdict.Pass.class);
        assertThat(step.beforeRouting(call("usr_1", "other__find", able))).as("not this server").isInstanceOf(Verdict.Pass.class);
        assertThat(able.asked).isEmpty();
    }
}
