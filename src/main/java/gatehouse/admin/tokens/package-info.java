/**
 * Admin-API tokens: the bearer secrets that open {@code /api/v1}. They are stored as keyed hashes
 * (HMAC with a key derived from the master key, so a copy of the database alone cannot test
 * guesses of operator-chosen tokens), listed by name with their last use, revoked one by one, and
 * the environment's bootstrap token replaces the earlier bootstrap tokens at each start. A token
 * may act as a user ({@code user_id}); what such a token may do is decided by that user's roles.
 */
package gatehouse.admin.tokens;
