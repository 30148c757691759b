/**
 * People and teams: local accounts (password hashes, lockout), teams, memberships and the teams that
 * hold each gateway. {@link gatehouse.identity.Directory} is the only writer and publishes an
 * immutable {@link gatehouse.identity.DirectorySnapshot} that the data plane reads per message.
 * Custom roles, SSO (OIDC) and SCIM plug in here later: a user's {@code source} says where it came from.
 */
package gatehouse.identity;
