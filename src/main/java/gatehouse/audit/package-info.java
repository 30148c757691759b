/**
 * Log records: one per MCP message, written off the request path in batches (spooled to a file
 * while the database is away), chained by HMAC so tampering shows, read back with filters, pages
 * and streamed exports, and deleted after the retention period.
 */
package gatehouse.audit;
