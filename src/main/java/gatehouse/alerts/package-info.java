/**
 * Alerts: things an administrator must see (a tool changed after approval, features awaiting
 * approval, a gateway over its tool budget), each open → acknowledged → resolved. Raised by the
 * services that notice them, listed and updated through the admin API.
 */
package gatehouse.alerts;
