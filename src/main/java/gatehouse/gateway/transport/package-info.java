/**
 * The client-facing Streamable HTTP edge: the servlet, request/response adapters free of servlet
 * types for the rest of the data plane, and the checks that need only the HTTP request.
 */
package gatehouse.gateway.transport;
