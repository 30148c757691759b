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
        Connection c = new Connection("con_1", "gw_1", "host_1", userId, true, "hash", Instant.EPOCH);
        Assignment a = new Assignment("gw_1", "srv_1", IdentityScheme.PERSONAL, "crm", Instant.EPOCH);
        CatalogSnapshot catalog = CatalogSnapshot.of(List.of(SERVER), List.of(GATEWAY), List.of(a), List.of(c), 1);
        ObjectNode request = JsonRpc.request(7, "tools/call", Json.object().put("name", tool));
        Exchange x = new Exchange(System.nanoTime(), new Exchange.Caller(c, GATEWAY, catalog), Exchange.Generation.SESSION, "tools/call",
                request);
        x.prompt(prompt);
        return x;
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
