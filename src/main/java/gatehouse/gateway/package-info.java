/**
 * The data plane: the MCP endpoint, its one pipeline, downstream sessions, routing and the
 * upstream clients. See docs/architecture.md.
 */
package gatehouse.gateway;
