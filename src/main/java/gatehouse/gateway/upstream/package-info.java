/**
 * Clients for upstream MCP servers over stdio, Streamable HTTP (both generations) and legacy SSE.
 * They move raw JSON-RPC messages: {@link gatehouse.gateway.upstream.UpstreamSession} rewrites only
 * request ids and progress tokens (and restores them), so every other field reaches the other side
 * unchanged. The HTTP clients share one configuration record and one exchange helper, so limits,
 * credentials, aborts and error wording are the same for all three.
 */
package gatehouse.gateway.upstream;
