/**
 * Input requests (multi round-trip requests of protocol 2026-07-28) across generations: a 2025 upstream's
 * server-to-client requests become an {@code input_required} result for a stateless client, with
 * a {@code requestState} that Gatehouse seals ({@link gatehouse.gateway.inputrequests.RequestStateSeal})
 * and binds to the connection and the request; the client's {@code inputResponses} go back to the
 * upstream as the answers.
 */
package gatehouse.gateway.inputrequests;
