package gatehouse.gateway.steps;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.ServerDef;
import gatehouse.gateway.pipeline.ClientPrompt;
import gatehouse.gateway.pipeline.Decision;
import gatehouse.gateway.pipeline.Exchange;
import gatehouse.gateway.pipeline.Step;
import gatehouse.gateway.pipeline.Verdict;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.identity.ConsentRequests;
import gatehouse.identity.UpstreamCredentials;
import gatehouse.platform.Ids;
import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Re-consent in the client instead of a failure. A call to a server that needs the person's own
 * credential, when theirs is missing, expired past refresh or refused by the upstream, asks the
 * person through their client with a URL-mode elicitation of the wizard page for exactly that
 * server ({@link ConsentRequests#needed}): on a 2025 session a real {@code elicitation/create}
 * request on the call's stream, after which the call waits (bounded) for the credential and goes
 * on, with {@code notifications/elicitation/complete}; on a 2026-07-28 request an
 * {@code input_required} result carrying the same elicitation, whose retry waits the same way. A
 * client that declared no URL elicitation, or declines, gets the plain error with the link.
 */
@Component
public class ConsentStep implements Step {
    static final String NAME = "consent";
    static final Duration POLL = Duration.ofMillis(250);

    private final ConsentRequests consent;
    private final Duration wait;

    @Autowired
    public ConsentStep(ConsentRequests consent, @Value("${gatehouse.consent.wait:10m}") Duration wait) {
        this.consent = consent;
        this.wait = wait;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The elicitation's key in {@code inputRequests}/{@code inputResponses}: one per server. */
    static String key(String serverId) {
        return "gatehouse-consent-" + serverId;
    }

    @Override
    public Verdict beforeRouting(Exchange exchange) {
        if (!("tools/call".equals(exchange.method()) || "prompts/get".equals(exchange.method())) || exchange.caller() == null
                || exchange.caller().userId() == null) {
            return Verdict.pass();
        }
        ClientPrompt prompt = exchange.prompt();
        ServerDef server = serverOf(exchange);
        if (server == null) {
            return Verdict.pass();
        }
        String key = key(server.id());
        JsonNode answered = prompt.answer(key);
        UpstreamCredentials.Unusable needed = consent.needed(exchange.caller().connectionId(), exchange.caller().gatewayId(), server);
        if (answered != null) {
            // A stateless retry: the person was sent to the page; the request goes on once the credential is there.
            ObjectNode clean = exchange.request().deepCopy();
            ObjectNode params = JsonRpc.params(clean);
            params.remove("inputResponses");
            params.remove("requestState");
            if (needed != null && (!"accept".equals(answered.path("action").asString("")) || !awaitCredential(exchange, server))) {
                return declined(needed, server);
            }
            return Verdict.replace(clean, decision("completed", server));
        }
        if (needed == null || !prompt.urlElicitation()) {
            return Verdict.pass(); // a usable credential, or a client that cannot open a URL: the call's own error says where
        }
        String elicitationId = Ids.random(24);
        ObjectNode question = JsonRpc.request("consent", "elicitation/create", Json.object()
                .put("mode", "url")
                .put("message", "Gatehouse needs your own credential for server '" + server.name() + "' to run this call ("
                        + describe(needed.state()) + "). Open the page, sign in and add it; the call goes on when you are done.")
                .put("url", needed.renewUrl())
                .put("elicitationId", elicitationId));
        question.remove("id");
        question.remove("jsonrpc");
        JsonNode result = prompt.ask(key, question, wait); // a stateless request leaves here with input_required
        if (!"accept".equals(result.path("action").asString("")) || !awaitCredential(exchange, server)) {
            return declined(needed, server);
        }
        prompt.notify(JsonRpc.notification("notifications/elicitation/complete", Json.object().put("elicitationId", elicitationId)));
        return Verdict.flag(decision("completed", server));
    }

    /** Waits (bounded) until the person's credential for the server is usable. */
    private boolean awaitCredential(Exchange exchange, ServerDef server) {
        Instant until = Instant.now().plus(wait);
        while (Instant.now().isBefore(until)) {
            if (consent.needed(exchange.caller().connectionId(), exchange.caller().gatewayId(), server) == null) {
                return true;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static Verdict declined(UpstreamCredentials.Unusable needed, ServerDef server) {
        ObjectNode data = Json.object().put("identity", needed.state()).put("server", server.name());
        if (needed.renewUrl() != null) {
            data.put("renewUrl", needed.renewUrl());
        }
        return new Verdict.Deny(JsonRpc.UPSTREAM_ERROR, needed.reason(), data,
                java.util.List.of(decision("not-completed", server)), null);
    }

    private static Decision decision(String action, ServerDef server) {
        return new Decision(NAME, action, Map.of("server", server.name()));
    }

    private static String describe(String state) {
        return switch (state) {
            case "missing" -> "you have not added one";
            case "rejected" -> "the server refused your last one";
            case "refresh-failed" -> "your last one expired and could not be refreshed";
            case "revoked" -> "your last one was revoked";
            default -> state;
        };
    }

    /** The server behind a prefixed exposed name (an unprefixed name cannot be placed without listing). */
    private static ServerDef serverOf(Exchange exchange) {
        ObjectNode params = JsonRpc.params(exchange.request());
        String name = params == null ? null : params.path("name").asString(null);
        if (name == null) {
            return null;
        }
        int sep = name.indexOf(Assignment.SEPARATOR);
        if (sep <= 0) {
            return null;
        }
        String prefix = name.substring(0, sep);
        var catalog = exchange.caller().catalog();
        for (Assignment a : catalog.assignments(exchange.caller().gatewayId())) {
            if (a.prefix().equals(prefix)) {
                return catalog.servers().get(a.serverId());
            }
        }
        return null;
    }
}
