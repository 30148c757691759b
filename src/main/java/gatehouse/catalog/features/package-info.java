/**
 * The feature inventory of every gateway: discovery of what assigned servers offer
 * ({@link gatehouse.catalog.features.Discovery}, carried out by the gateway), the record of each feature with its approval
 * snapshot and version history ({@link gatehouse.catalog.features.FeatureService}), and the data
 * plane's entry point ({@link gatehouse.catalog.features.FeatureGate}), which filters lists and
 * admits calls through {@link gatehouse.policy.provisioning.ProvisioningPolicy} on an in-memory view.
 */
package gatehouse.catalog.features;
