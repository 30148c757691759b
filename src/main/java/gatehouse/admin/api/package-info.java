/** The admin REST API under /api/v1: JSON in and out, RFC 9457 problem details for errors. */
package gatehouse.admin.api;
