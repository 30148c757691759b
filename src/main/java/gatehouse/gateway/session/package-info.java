/**
 * Downstream (client-facing) MCP sessions: their upstream sessions, the server-to-client requests
 * waiting for the client's answer, requests in flight (for cancellation) and the standalone event
 * stream with its replay buffer, whose messages pass the pipeline's steps through the
 * {@link gatehouse.gateway.protocol.RelayScreen} the pipeline installs.
 */
package gatehouse.gateway.session;
