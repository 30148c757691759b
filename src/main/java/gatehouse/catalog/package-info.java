/**
 * The configuration Gatehouse serves: upstream servers, gateways, their assignments, API-token
 * hosts and connections. Changes go through {@link gatehouse.catalog.CatalogService}, which
 * persists them and publishes a new immutable {@link gatehouse.catalog.CatalogSnapshot} that the
 * data plane reads without touching the database.
 */
package gatehouse.catalog;
