/**
 * The feature inventory of every gateway: discovery of what assigned servers offer
 * ({@link gatehouse.catalog.features.Discovery}, carried out by the gateway), the record of each feature with its approval
 * snapshot and version history: the published view ({@link gatehouse.catalog.features.FeatureViews}), what servers list
 * ({@link gatehouse.catalog.features.FeatureObservations}), administrators' changes
 * ({@link gatehouse.catalog.features.FeatureCommands}), gateway settings ({@link gatehouse.catalog.features.FeatureSettings})
 * and tool budgets ({@link gatehouse.catalog.features.ToolBudgets}); and the data
 * plane's entry point ({@link gatehouse.catalog.features.FeatureGate}), which filters lists and
 * admits calls through {@link gatehouse.policy.provisioning.ProvisioningPolicy} on an in-memory view.
 */
package gatehouse.catalog.features;
