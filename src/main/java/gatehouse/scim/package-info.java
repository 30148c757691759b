/**
 * SCIM 2.0 provisioning (RFC 7643/7644) at {@code /scim/v2}: Users are Gatehouse users, Groups are
 * teams, one directory for both APIs. Bearer tokens are SCIM tokens only (created through the admin
 * API, stored as hashes). Filters, PATCH and errors follow the RFCs, with the known variations of
 * Okta's and Entra ID's clients accepted (capitalised op values, boolean strings, member removal by
 * value filter).
 */
package gatehouse.scim;
