/**
 * Provisioning and rug-pull policy, pure and free of I/O: which discovered feature (tool, prompt,
 * resource, resource template) a gateway exposes ({@link gatehouse.policy.provisioning.ProvisioningPolicy#decide}),
 * what a newly listed definition means for a feature ({@link gatehouse.policy.provisioning.ProvisioningPolicy#observe}),
 * and the approval snapshots compared to detect a changed definition ({@link gatehouse.policy.provisioning.FeatureSnapshots}).
 * The inventory that feeds it lives in {@code gatehouse.catalog.features}.
 */
package gatehouse.policy.provisioning;
