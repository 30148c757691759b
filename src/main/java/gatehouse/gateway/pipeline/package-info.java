/**
 * The one ordered pipeline every MCP message walks (transport checks, authentication, connection
 * and gateway, authorization, routing, rules, upstream call, rules, audit), written once in
 * {@link gatehouse.gateway.pipeline.McpPipeline}.
 */
package gatehouse.gateway.pipeline;
