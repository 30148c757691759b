package gatehouse.gateway.steps;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
import gatehouse.gateway.upstream.CredentialUnusableException;
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
    static final String KEY_PREFIX = "gatehouse-consent-";
    /** The methods that may ask: the ones a stateless client may be answered {@code input_required} for. */
    static final Set<String> METHODS = Set.of("tools/call", "prompts/get", "resources/read");
    /** Exchange attribute: the servers whose consent this request's retry answered. */
    private static final String ANSWERED = "consent.answered";
    /** Exchange attribute: the server this request asked the person about. */
    private static final String ASKED = "consent.asked";

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
        return KEY_PREFIX + serverId;
    }

    @Override
    public Verdict beforeRouting(Exchange exchange) {
        if (!METHODS.contains(exchange.method()) || exchange.caller() == null || exchange.caller().userId() == null) {
            return Verdict.pass();
        }
        ClientPrompt prompt = exchange.prompt();
        // A stateless retry brings the person's answers: taken out of the request (the upstream never asked),
        // and the request waits for each credential they went to add.
        Map<String, JsonNode> answers = answers(exchange.request());
        ObjectNode clean = null;
        List<Decision> decisions = new ArrayList<>();
        if (!answers.isEmpty()) {
            clean = exchange.request().deepCopy();
            ObjectNode params = JsonRpc.params(clean);
            ObjectNode responses = (ObjectNode) params.get("inputResponses");
            answers.keySet().forEach(sid -> responses.remove(key(sid)));
            if (responses.isEmpty()) {
                params.remove("inputResponses");
                params.remove("requestState");
            }
            exchange.attribute(ANSWERED, Set.copyOf(answers.keySet()));
            for (var a : answers.entrySet()) {
                ServerDef server = exchange.caller().catalog().servers().get(a.getKey());
                if (server == null || !assigned(exchange, server)) {
                    continue;
                }
                UpstreamCredentials.Unusable needed = needed(exchange, server);
                if (needed != null && (!"accept".equals(a.getValue().path("action").asString("")) || !awaitCredential(exchange, server))) {
                    return declined(needed, server);
                }
                decisions.add(decision("completed", server));
            }
        }
        ServerDef server = serverOf(exchange);
        if (server != null && !answers.containsKey(server.id())) {
            UpstreamCredentials.Unusable needed = needed(exchange, server);
            if (needed != null && prompt.urlElicitation()) {
                Verdict.Deny refused = ask(exchange, server, needed); // a stateless request leaves here with input_required
                if (refused != null) {
                    return refused;
                }
                decisions.add(decision("completed", server));
            }
        }
        if (clean != null) {
            return new Verdict.Replace(clean, decisions);
        }
        return decisions.isEmpty() ? Verdict.pass() : new Verdict.Flag(decisions);
    }

    /**
     * The credential turned out unusable after routing began: the name was not placed up front
     * (unprefixed, several servers), or the upstream refused the credential just now and a refresh
     * could not save it. The person is asked as before the call; once the credential is there the
     * pipeline sends the request once more.
     */
    @Override
    public Verdict onCredentialUnusable(Exchange exchange, CredentialUnusableException unusable) {
        if (!METHODS.contains(exchange.method()) || exchange.caller() == null || exchange.caller().userId() == null
                || unusable.renewUrl() == null || !exchange.prompt().urlElicitation()) {
            return Verdict.pass();
        }
        Set<String> answered = exchange.attribute(ANSWERED);
        if (answered != null && answered.contains(unusable.serverId()) || unusable.serverId().equals(exchange.attribute(ASKED))) {
            return Verdict.pass(); // asked already and waited for it: not twice in one request
        }
        ServerDef server = exchange.caller().catalog().servers().get(unusable.serverId());
        if (server == null) {
            return Verdict.pass();
        }
        UpstreamCredentials.Unusable needed = needed(exchange, server);
        if (needed == null) {
            // renewed meanwhile (another request of the person's, a refresh elsewhere): just go again
            return Verdict.flag(decision("renewed", server));
        }
        Verdict.Deny refused = ask(exchange, server, needed);
        return refused != null ? refused : Verdict.flag(decision("completed", server));
    }

    /**
     * Asks the person to add the credential on the server's page and waits for it; returns when it is
     * usable (null). A stateless client is asked by an input_required result (this throws); a client
     * that declines, or a person who does not finish in time, gets the error with the link (answered).
     */
    private Verdict.Deny ask(Exchange exchange, ServerDef server, UpstreamCredentials.Unusable needed) {
        ClientPrompt prompt = exchange.prompt();
        exchange.attribute(ASKED, server.id());
        String elicitationId = Ids.random(24);
        ObjectNode question = JsonRpc.request("consent", "elicitation/create", Json.object()
                .put("mode", "url")
                .put("message", "Gatehouse needs your own credential for server '" + server.name() + "' to run this call ("
                        + describe(needed.state()) + "). Open the page, sign in and add it; the call goes on when you are done.")
                .put("url", needed.renewUrl())
                .put("elicitationId", elicitationId));
        question.remove("id");
        question.remove("jsonrpc");
        JsonNode result = prompt.ask(key(server.id()), question, wait); // a stateless request leaves here with input_required
        if (!"accept".equals(result.path("action").asString("")) || !awaitCredential(exchange, server)) {
            return declinedDeny(needed, server);
        }
        prompt.notify(JsonRpc.notification("notifications/elicitation/complete", Json.object().put("elicitationId", elicitationId)));
        return null;
    }

    private UpstreamCredentials.Unusable needed(Exchange exchange, ServerDef server) {
        return consent.needed(exchange.caller().connectionId(), exchange.caller().gatewayId(), server);
    }

    /** The consent answers a stateless retry carries, by server id. */
    private static Map<String, JsonNode> answers(ObjectNode request) {
        ObjectNode params = JsonRpc.params(request);
        if (params == null || !(params.get("inputResponses") instanceof ObjectNode responses)) {
            return Map.of();
        }
        Map<String, JsonNode> found = new LinkedHashMap<>();
        for (var e : responses.properties()) {
            if (e.getKey().startsWith(KEY_PREFIX) && e.getValue() != null && !e.getValue().isNull()) {
                found.put(e.getKey().substring(KEY_PREFIX.length()), e.getValue());
            }
        }
        return found;
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
        return declinedDeny(needed, server);
    }

    private static Verdict.Deny declinedDeny(UpstreamCredentials.Unusable needed, ServerDef server) {
        ObjectNode data = Json.object().put("identity", needed.state()).put("server", server.name());
        if (needed.renewUrl() != null) {
            data.put("renewUrl", needed.renewUrl());
        }
        return new Verdict.Deny(JsonRpc.UPSTREAM_ERROR, needed.reason(), data, List.of(decision("not-completed", server)), null);
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

    /**
     * The server a request goes to, when it is known without listing any server: the one server of
     * a gateway that has only one, or the server behind a prefixed tool or prompt name. Otherwise
     * routing finds it, and a credential it meets unusable comes back to {@link #onCredentialUnusable}.
     */
    private static ServerDef serverOf(Exchange exchange) {
        var catalog = exchange.caller().catalog();
        List<Assignment> assignments = catalog.assignments(exchange.caller().gatewayId());
        if (assignments.size() == 1) {
            return catalog.servers().get(assignments.getFirst().serverId());
        }
        ObjectNode params = JsonRpc.params(exchange.request());
        String name = params == null || "resources/read".equals(exchange.method()) ? null : params.path("name").asString(null);
        if (name == null) {
            return null;
        }
        int sep = name.indexOf(Assignment.SEPARATOR);
        if (sep <= 0) {
            return null;
        }
        String prefix = name.substring(0, sep);
        for (Assignment a : assignments) {
            if (a.prefix().equals(prefix)) {
                return catalog.servers().get(a.serverId());
            }
        }
        return null;
    }

    private static boolean assigned(Exchange exchange, ServerDef server) {
        return exchange.caller().catalog().assignments(exchange.caller().gatewayId()).stream().anyMatch(a -> a.serverId().equals(server.id()));
    }
}
