/**
 * Feature discovery: Gatehouse's own upstream sessions that list what every assigned server offers
 * and hand it to the catalogue's feature inventory ({@link gatehouse.catalog.features.Discovery}
 * is the catalogue's side of it), on assignment, on list changes, on demand and on an interval.
 */
package gatehouse.gateway.discovery;
