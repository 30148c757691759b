package gatehouse.catalog.features;

import gatehouse.policy.provisioning.ProvisioningView;

/** A new {@link ProvisioningView} was published (whatever changed); the tool budgets are checked again. */
record FeatureViewPublished(ProvisioningView view) {
}
