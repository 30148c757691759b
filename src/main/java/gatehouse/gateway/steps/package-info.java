/**
 * The pipeline's policy steps: one class per {@link gatehouse.gateway.pipeline.Step}, each an
 * adapter from the exchange to a pure policy elsewhere, placed by name in
 * {@link gatehouse.gateway.pipeline.PipelineSteps}.
 */
package gatehouse.gateway.steps;
