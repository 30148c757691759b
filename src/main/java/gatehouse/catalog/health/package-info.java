/**
 * Server health: whether each upstream server can be reached now (ok, starting, failing with the
 * reason and since when, and the last successful contact), as the upstream layer observes it, and
 * the alert an administrator gets when a server becomes unreachable (resolved when it recovers).
 */
package gatehouse.catalog.health;
