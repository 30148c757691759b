/**
 * The one ordered pipeline every MCP message walks, written once in
 * {@link gatehouse.gateway.pipeline.McpPipeline}; the {@link gatehouse.gateway.pipeline.Exchange}
 * it carries; the policy-step SPI ({@link gatehouse.gateway.pipeline.Step}, its verdicts, and
 * {@link gatehouse.gateway.pipeline.PipelineSteps}, which orders them); the two protocol
 * generations as strategies; the method handlers; and the one place failures become wire answers.
 */
package gatehouse.gateway.pipeline;
