package gatehouse.gateway.pipeline;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.ServerDef;
import gatehouse.gateway.upstream.CredentialUnusableException;
import tools.jackson.databind.node.ArrayNode;

/**
 * A policy step of the data-plane pipeline: provisioning, header checks, tool access, content
 * rules, re-consent, telemetry and audit all plug in here instead of being called from services.
 * The pipeline calls every step's hook at each point a message can be inspected or changed, in
 * the order {@link PipelineSteps} gives, for both protocol generations alike. A step that has
 * nothing to say at a hook keeps the default ({@link Verdict#pass()}).
 *
 * <p>Hooks run on the request's own thread and must be cheap when they do not apply: decide from
 * {@link Exchange#method()} or the gateway's configuration before touching the message.
 */
public interface Step {

    /** Short stable name, used in {@link PipelineSteps#ORDER} and in the decisions it flags. */
    String name();

    /**
     * A client request, after authentication and session, before routing: {@link Exchange#request()}
     * is the message as the client sent it (exposed names). Deny here to refuse without revealing
     * whether the target exists.
     */
    default Verdict beforeRouting(Exchange exchange) {
        return Verdict.pass();
    }

    /**
     * The request about to go upstream, after routing: {@link Exchange#route()} is set and
     * {@link Exchange#request()} carries the upstream's own name. Replace to change what the
     * upstream receives; deny and the upstream never sees it.
     */
    default Verdict beforeUpstream(Exchange exchange) {
        return Verdict.pass();
    }

    /**
     * Routing or the upstream call stopped because the caller's credential for one server is
     * unusable ({@link CredentialUnusableException}: missing, or refused by the upstream just now
     * and not renewable). A step that got it renewed meanwhile (the consent step asks the person
     * through {@link Exchange#prompt()}) answers {@link Verdict.Flag}: the request is routed (if it
     * was not yet) and sent once more, at most once per request. {@link Verdict.Deny} answers the
     * request with its error instead; {@link Verdict.Pass} lets the credential's error stand.
     */
    default Verdict onCredentialUnusable(Exchange exchange, CredentialUnusableException unusable) {
        return Verdict.pass();
    }

    /**
     * The final answer to a client request, before it is sent: an upstream's result or error, or
     * one the gateway made itself (merged lists, {@code server/discover}, {@code input_required}).
     * {@link Exchange#response()} is the JSON-RPC response. Replace to change what the client sees,
     * with a changed copy: never change the response, its result or anything inside it in place
     * (nor return it with such a change). A 2025 session's answer carries the upstream's result as
     * the bytes it arrived in while the response still holds that very result node, and a repeated
     * merged list goes out from the text of the result kept for reuse; a change made in place
     * would not reach the client (the redaction would leak) or would reach other callers.
     */
    default Verdict afterUpstream(Exchange exchange) {
        return Verdict.pass();
    }

    /**
     * Whether {@link #afterUpstream} reads the content of this exchange's result (asked before the
     * request goes upstream, only of steps that override {@link #afterUpstream}). When no step
     * does, a {@code tools/call} result is not parsed: the response holds a summary of it (only
     * {@code isError}) and the client gets the upstream's bytes. Answer false only when the hook
     * looks at nothing but {@code error} and {@code isError} for this exchange.
     */
    default boolean readsResults(Exchange exchange) {
        return true;
    }

    /**
     * Every other message that crosses the gateway while this exchange is open, in either
     * direction: server-to-client requests and the client's answers, notifications (progress,
     * logging, list changes, resource updates), GET and {@code subscriptions/listen} stream
     * events, {@code input_required} rounds. Deny drops a message (a request is answered with
     * the verdict's error); replace changes it.
     */
    default Verdict onRelay(Exchange exchange, Relayed message) {
        return Verdict.pass();
    }

    /**
     * One server's part of a list the gateway merges ({@code tools/list} and the like), before its
     * names are prefixed and merged: answer the items the client may see, in their order (the
     * given array when all may). Hiding here, before the merge, is as if the server did not have
     * the item. Runs on a fan-out thread; must not change {@code part.items()} (nor an item) in
     * place, and may answer an array it answered before only when that holds exactly what this
     * caller may see now: a merged list is reused for callers whose parts are the very same arrays.
     */
    default ArrayNode onList(Exchange exchange, ListPart part) {
        return part.items();
    }

    /**
     * A server's items for {@link #onList}.
     *
     * @param kind {@code tools}, {@code prompts}, {@code resources} or {@code resourceTemplates}
     * @param items as the server listed them (shared with its list cache: read only)
     */
    record ListPart(Assignment assignment, ServerDef server, String kind, ArrayNode items) {
    }

    /** Once the exchange is over (answered, refused or failed): telemetry and audit. Never throws. */
    default void onComplete(Exchange exchange) {
    }
}
