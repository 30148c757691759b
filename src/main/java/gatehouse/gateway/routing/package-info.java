/**
 * Names and places: exposed names are {@code <prefix>__<upstream name>}; list methods fan out to
 * the gateway's servers and merge; calls, prompt gets and resource reads are routed back to the
 * server that owns the name or URI.
 */
package gatehouse.gateway.routing;
