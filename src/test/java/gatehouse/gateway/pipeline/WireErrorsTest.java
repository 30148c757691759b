package gatehouse.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.gateway.protocol.EventStream;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.McpException;
import gatehouse.gateway.session.SessionLimitException;
import gatehouse.gateway.transport.BodyTooLargeException;
import gatehouse.gateway.transport.HttpProblem;
import gatehouse.gateway.transport.McpHttpResponse;
import gatehouse.gateway.upstream.UpstreamException;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

class WireErrorsTest {
    private final WireErrors errors = new WireErrors();
    private final StatelessGeneration stateless = new StatelessGeneration(null, null, null);
    private final SessionGeneration sessionful = new SessionGeneration(null, null, null, null, null);

    /** The HTTP answer as a client would read it. */
    static final class Answer implements McpHttpResponse {
        final Map<String, String> headers = new HashMap<>();
        int status;
        JsonNode body;
        boolean committed;

        @Override
        public void header(String name, String value) {
            headers.put(name, value);
        }

        @Override
        public void json(int status, byte[] body) {
            this.status = status;
            this.body = Json.tree(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            committed = true;
        }

        @Override
        public void empty(int status) {
            this.status = status;
            committed = true;
        }

        @Override
        public EventStream stream() {
            throw new UnsupportedOperationException("not in these tests");
        }

        @Override
        public boolean committed() {
            return committed;
        }
    }

    private static Exchange request(Generation generation) {
        Exchange x = new Exchange(System.nanoTime());
        x.request(JsonRpc.request(9L, "tools/call", Json.object().put("name", "t")));
        if (generation != null) {
            x.strategy(generation);
        }
        return x;
    }

    @Test
    void transportRefusalsKeepTheirStatusAndHeadersAndCarryNoId() {
        Exchange x = new Exchange(System.nanoTime());
        Answer a = new Answer();

        errors.answer(x, new HttpProblem(401, JsonRpc.INVALID_REQUEST, "Unauthorized: no", Map.of("WWW-Authenticate", "Bearer x")), a, null);

        assertThat(a.status).isEqualTo(401);
        assertThat(a.headers).containsEntry("WWW-Authenticate", "Bearer x");
        assertThat(a.body.get("id").isNull()).isTrue();
        assertThat(a.body.path("error").path("code").asInt()).isEqualTo(JsonRpc.INVALID_REQUEST);
        assertThat(x.status()).isEqualTo("denied");
        assertThat(x.kind()).isEqualTo("http");
        assertThat(x.errorMessage()).isEqualTo("Unauthorized: no");
    }

    @Test
    void eachLayersFailureHasItsStatus() {
        Answer tooLarge = new Answer();
        errors.answer(new Exchange(System.nanoTime()), new BodyTooLargeException(10), tooLarge, null);
        Answer full = new Answer();
        Exchange fullX = new Exchange(System.nanoTime());
        errors.answer(fullX, new SessionLimitException(), full, null);
        Answer defect = new Answer();
        Exchange defectX = new Exchange(System.nanoTime());
        errors.answer(defectX, new IllegalStateException("secret detail"), defect, null);

        assertThat(tooLarge.status).isEqualTo(413);
        assertThat(full.status).isEqualTo(503);
        assertThat(fullX.status()).isEqualTo("error");
        assertThat(defect.status).isEqualTo(500);
        assertThat(defect.body.path("error").path("message").asString()).startsWith("Internal error (reference ")
                .doesNotContain("secret detail");
    }

    @Test
    void aRevisionsRefusalCarriesTheRequestsIdAndItsStatus() {
        Exchange x = request(stateless);
        Answer a = new Answer();

        errors.answer(x, new RefusedRequest(400, JsonRpc.HEADER_MISMATCH, "Bad Request: mismatch", null), a, null);

        assertThat(a.status).isEqualTo(400);
        assertThat(a.body.path("id").asLong()).isEqualTo(9L);
        assertThat(x.status()).isEqualTo("rejected");
    }

    @Test
    void anAnswerAlreadyUnderwayIsNotRewritten() {
        Answer a = new Answer();
        a.json(200, "{}".getBytes());

        errors.answer(new Exchange(System.nanoTime()), new HttpProblem(404, JsonRpc.INVALID_REQUEST, "gone"), a, null);

        assertThat(a.status).isEqualTo(200);
    }

    @Test
    void theGatewaysOwnErrorsTakeTheGenerationsStatusAndUpstreamFailuresStayInBand() {
        Exchange statelessX = request(stateless);
        statelessX.response(errors.response(statelessX, new McpException(JsonRpc.METHOD_NOT_FOUND, "Method not found: x")));
        Exchange sessionX = request(sessionful);
        sessionX.response(errors.response(sessionX, new McpException(JsonRpc.METHOD_NOT_FOUND, "Method not found: x")));
        Exchange upstreamX = request(stateless);
        upstreamX.response(errors.response(upstreamX, new UpstreamException("Upstream server 'a' is unavailable")));
        Exchange deniedX = request(stateless);
        deniedX.response(errors.response(deniedX, new StepDeniedException(new Verdict.Deny(JsonRpc.INVALID_PARAMS, "Unknown tool: t",
                null, java.util.List.of()))));

        assertThat(statelessX.response().path("id").asLong()).isEqualTo(9L);
        assertThat(errors.statusOf(statelessX)).isEqualTo(404);
        assertThat(errors.statusOf(sessionX)).isEqualTo(-1);
        assertThat(upstreamX.response().path("error").path("code").asInt()).isEqualTo(JsonRpc.UPSTREAM_ERROR);
        assertThat(errors.statusOf(upstreamX)).isEqualTo(-1);
        assertThat(deniedX.status()).isEqualTo("denied");
        assertThat(errors.statusOf(deniedX)).isEqualTo(200);
    }

    @Test
    void theOutcomeOfAnAnswerIsReadFromIt() {
        Exchange ok = request(sessionful);
        ok.counted(Json.object().put("a", 1), null);
        ok.response(JsonRpc.result(Json.NODES.numberNode(9L), Json.object().put("isError", true)));
        errors.outcome(ok, true);
        Exchange asked = request(stateless);
        asked.response(JsonRpc.result(Json.NODES.numberNode(9L), Json.object().put("resultType", "input_required")));
        errors.outcome(asked, true);
        Exchange listed = request(sessionful);
        listed.response(JsonRpc.result(Json.NODES.numberNode(9L), Json.object()));
        errors.outcome(listed, false);

        assertThat(ok.status()).isEqualTo("tool-error");
        assertThat(ok.input()).isNotNull();
        assertThat(ok.output()).isNotNull();
        assertThat(asked.status()).isEqualTo("input-required");
        assertThat(listed.status()).isEqualTo("ok");
        assertThat(listed.output()).isNull();
    }

    @Test
    void theInBandTranslationIsTheSameForEveryLayerThatAnswersARequest() {
        JsonNode id = Json.tree("7");
        JsonNode data = Json.tree("{\"requiredCapabilities\":{\"sampling\":{}}}");
        var gateway = errors.reply(id, new McpException(JsonRpc.MISSING_CLIENT_CAPABILITY, "needs sampling", data));
        assertThat(gateway.path("id").asInt()).isEqualTo(7);
        assertThat(gateway.path("error").path("code").asInt()).isEqualTo(JsonRpc.MISSING_CLIENT_CAPABILITY);
        assertThat(gateway.path("error").path("data")).isEqualTo(data);

        var upstream = errors.reply(id, new UpstreamException("upstream 'fx' answered HTTP 502"));
        assertThat(upstream.path("error").path("code").asInt()).isEqualTo(JsonRpc.UPSTREAM_ERROR);
        assertThat(upstream.path("error").path("message").asString()).isEqualTo("upstream 'fx' answered HTTP 502");

        var other = errors.reply(id, new IllegalStateException("boom"));
        assertThat(other.path("error").path("code").asInt()).isEqualTo(JsonRpc.INTERNAL_ERROR);

        var refusal = errors.reply(id, JsonRpc.INVALID_PARAMS, "params.requestState is invalid");
        assertThat(refusal.path("error").path("code").asInt()).isEqualTo(JsonRpc.INVALID_PARAMS);
        assertThat(refusal.path("error").has("data")).isFalse();
    }
}
