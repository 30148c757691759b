/**
 * Sign-in with OpenID Connect: providers registered at runtime through the admin API (their client
 * secrets sealed), Spring Security's OAuth 2.0 login on a database-backed client registration
 * repository (discovery, PKCE, state and nonce), just-in-time users and group-to-team mapping, and
 * routing to a provider by e-mail domain.
 */
package gatehouse.sso;
