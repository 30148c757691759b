package gatehouse.gateway.pipeline;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.protocol.RelayScreen;
import gatehouse.gateway.routing.ListFilter;
import gatehouse.gateway.upstream.CredentialUnusableException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls the steps' hooks in {@link PipelineSteps} order and applies their verdicts: a replacement
 * becomes the message, a denial stops a request with its JSON-RPC error (and drops a relayed
 * notification), and every decision lands in the exchange. When every step passes nothing is
 * allocated or copied: the hot path pays for a loop over a handful of default methods.
 */
@Component
final class StepRunner {
    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);

    private final List<Step> steps;
    /** The steps that look at final answers (they override {@link Step#afterUpstream}). */
    private final List<Step> answerReaders;

    StepRunner(PipelineSteps steps) {
        this.steps = steps.all();
        this.answerReaders = this.steps.stream().filter(StepRunner::looksAtAnswers).toList();
    }

    private static boolean looksAtAnswers(Step s) {
        try {
            return s.getClass().getMethod("afterUpstream", Exchange.class).getDeclaringClass() != Step.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    /**
     * Whether no step reads the content of this exchange's result: every step that looks at final
     * answers says it does not ({@link Step#readsResults}). Then the result may be read in summary.
     */
    boolean leavesResultsAlone(Exchange x) {
        for (Step s : answerReaders) {
            if (s.readsResults(x)) {
                return false;
            }
        }
        return true;
    }

    /** Before routing; a denial throws {@link StepDeniedException}. */
    void beforeRouting(Exchange x) {
        for (Step s : steps) {
            applyToRequest(x, s.beforeRouting(x));
        }
    }

    /** Before the upstream sees the request; a denial throws {@link StepDeniedException}. */
    void beforeUpstream(Exchange x) {
        for (Step s : steps) {
            applyToRequest(x, s.beforeUpstream(x));
        }
    }

    private static void applyToRequest(Exchange x, Verdict v) {
        switch (v) {
            case Verdict.Pass p -> { }
            case Verdict.Flag f -> x.decide(f.decisions());
            case Verdict.Replace r -> {
                x.decide(r.decisions());
                x.request(r.message());
            }
            case Verdict.Deny d -> {
                x.decide(d.decisions());
                throw new StepDeniedException(d);
            }
        }
    }

    /**
     * A credential found unusable while routing or calling: true when a step renewed it (the
     * request is tried once more); a denial throws {@link StepDeniedException}.
     */
    boolean credentialUnusable(Exchange x, CredentialUnusableException unusable) {
        for (Step s : steps) {
            switch (s.onCredentialUnusable(x, unusable)) {
                case Verdict.Pass p -> { }
                case Verdict.Flag f -> {
                    x.decide(f.decisions());
                    return true;
                }
                case Verdict.Replace r -> {
                    x.decide(r.decisions());
                    x.request(r.message());
                    return true;
                }
                case Verdict.Deny d -> {
                    x.decide(d.decisions());
                    throw new StepDeniedException(d);
                }
            }
        }
        return false;
    }

    /** On the final response ({@link Exchange#response()}), which a verdict may replace or turn into an error. */
    void afterUpstream(Exchange x) {
        for (Step s : steps) {
            switch (s.afterUpstream(x)) {
                case Verdict.Pass p -> { }
                case Verdict.Flag f -> x.decide(f.decisions());
                case Verdict.Replace r -> {
                    x.decide(r.decisions());
                    x.response(r.message());
                }
                case Verdict.Deny d -> {
                    x.decide(d.decisions());
                    x.status("denied");
                    x.response(JsonRpc.error(x.request() == null ? null : x.request().get("id"), d.code(), d.message(), d.data()));
                }
            }
        }
    }

    /**
     * One relayed message (see {@link RelayScreen} for what the answer means). Steps after a
     * replacement see the replacement; a denial ends the round.
     */
    ObjectNode relay(Exchange x, Relayed.Direction direction, Relayed.Kind kind, String serverId, ObjectNode message) {
        if (steps.isEmpty()) {
            return message;
        }
        ObjectNode current = message;
        for (Step s : steps) {
            switch (s.onRelay(x, new Relayed(direction, kind, serverId, current))) {
                case Verdict.Pass p -> { }
                case Verdict.Flag f -> x.decide(f.decisions());
                case Verdict.Replace r -> {
                    x.decide(r.decisions());
                    current = r.message();
                }
                case Verdict.Deny d -> {
                    x.decide(d.decisions());
                    return denied(kind, current, d);
                }
            }
        }
        return current;
    }

    private static ObjectNode denied(Relayed.Kind kind, ObjectNode message, Verdict.Deny d) {
        return switch (kind) {
            case SERVER_REQUEST, INPUT_REQUEST -> JsonRpc.error(message.get("id"), d.code(), d.message(), d.data());
            case CLIENT_ANSWER -> JsonRpc.error(message.get("id"), d.code(), d.message(), d.data());
            case NOTIFICATION, STREAM_EVENT, INPUT_RESPONSE -> null;
        };
    }

    /** The screen lower layers call for messages relayed within {@code x}. */
    RelayScreen screen(Exchange x) {
        if (steps.isEmpty()) {
            return RelayScreen.NONE;
        }
        return (flow, serverId, message) -> switch (flow) {
            case SERVER_REQUEST -> relay(x, Relayed.Direction.TO_CLIENT, Relayed.Kind.SERVER_REQUEST, serverId, message);
            case CLIENT_ANSWER -> relay(x, Relayed.Direction.TO_UPSTREAM, Relayed.Kind.CLIENT_ANSWER, serverId, message);
            case NOTIFICATION_TO_CLIENT -> relay(x, Relayed.Direction.TO_CLIENT, Relayed.Kind.NOTIFICATION, serverId, message);
            case NOTIFICATION_TO_UPSTREAM -> relay(x, Relayed.Direction.TO_UPSTREAM, Relayed.Kind.NOTIFICATION, serverId, message);
            case STREAM_EVENT -> relay(x, Relayed.Direction.TO_CLIENT, Relayed.Kind.STREAM_EVENT, serverId, message);
            case INPUT_REQUEST -> relay(x, Relayed.Direction.TO_CLIENT, Relayed.Kind.INPUT_REQUEST, serverId, message);
            case INPUT_RESPONSE -> relay(x, Relayed.Direction.TO_UPSTREAM, Relayed.Kind.INPUT_RESPONSE, serverId, message);
        };
    }

    /** The list filter routing applies to each server's part of a merged list. */
    ListFilter listFilter(Exchange x) {
        if (steps.isEmpty()) {
            return ListFilter.ALL;
        }
        return (assignment, server, kind, items) -> {
            ArrayNode current = items;
            for (Step s : steps) {
                current = s.onList(x, new Step.ListPart(assignment, server, kind, current));
            }
            return current;
        };
    }

    /** Completion hooks; a failing step is logged and the others still run. */
    void complete(Exchange x) {
        for (Step s : steps) {
            try {
                s.onComplete(x);
            } catch (RuntimeException e) {
                log.warn("pipeline step {} failed on completion: {}", s.name(), e.toString());
            }
        }
    }
}
