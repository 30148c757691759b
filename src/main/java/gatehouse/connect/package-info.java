/**
 * The pages a person sees while connecting an MCP client: sign-in, then the connection wizard that
 * Spring's authorization endpoint hands over to as its consent page ({@code /connect?state=…}):
 * choose a gateway, give each {@code personal} server a credential, confirm. Plain HTML forms with
 * CSRF tokens; nothing needs JavaScript, so a script can walk them too.
 */
package gatehouse.connect;
