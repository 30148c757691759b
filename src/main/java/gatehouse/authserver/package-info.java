/**
 * The OAuth 2.1 authorization server interactive MCP clients use: Spring Security 7's authorization
 * server, configured for MCP (RFC 8414 metadata, RFC 7591 open registration of public clients,
 * authorization code + PKCE S256, RFC 8707 resource binding, rotating refresh tokens for public
 * clients, revocation) plus the RFC 9728 protected-resource metadata of the MCP endpoint, and
 * {@link gatehouse.authserver.AccessTokens}, which the data plane uses to check the tokens it issues
 * without a database read. See docs/architecture.md ("Interactive connections") for what is Spring's
 * and what is written here.
 */
package gatehouse.authserver;
