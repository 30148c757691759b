/**
 * Clients for upstream MCP servers over stdio, Streamable HTTP and legacy SSE. They move raw
 * JSON-RPC messages: {@link gatehouse.gateway.upstream.UpstreamSession} rewrites only request ids
 * and progress tokens (and restores them), so every other field reaches the other side unchanged.
 */
package gatehouse.gateway.upstream;
