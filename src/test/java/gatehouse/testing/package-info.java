/**
 * Test support for the data plane: one shared running Gatehouse ({@link gatehouse.testing.GatewayTestSupport}),
 * the admin API over HTTP ({@link gatehouse.testing.AdminClient}) and a raw Streamable HTTP client
 * ({@link gatehouse.testing.McpTestClient}) that can send hostile input and see exact statuses and headers.
 */
package gatehouse.testing;
