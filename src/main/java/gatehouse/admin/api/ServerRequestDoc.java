package gatehouse.admin.api;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The request body of {@code POST /servers} and {@code PATCH /servers/{id}} as the OpenAPI document
 * shows it. The body itself is read field by field ({@link ServerBody}), so that wrong shapes get
 * precise answers; this record only describes it.
 */
@Schema(name = "ServerRequest", description = "An upstream MCP server. On PATCH every field is optional and what is absent stays as it is.")
record ServerRequestDoc(
        @Schema(description = "unique name", example = "everything") String name,
        @Schema(description = "stdio | streamable-http | sse; implied by command (stdio) or url (streamable-http) when absent",
                allowableValues = {"stdio", "streamable-http", "sse"}) String transport,
        @Schema(description = "another MCP client's spelling of transport ('http' is streamable-http)") String type,
        @Schema(description = "stdio: the program and its arguments as a list, or a program (with args beside it), or one command line",
                example = "[\"npx\", \"-y\", \"@modelcontextprotocol/server-everything\", \"stdio\"]") List<String> command,
        @Schema(description = "stdio: arguments after a program given as a string in command") List<String> args,
        @Schema(description = "stdio: environment of the process (sealed at rest, answered redacted)") Map<String, String> env,
        @Schema(description = "streamable-http / sse: the server's URL", example = "https://tools.example.com/mcp") String url,
        @Schema(description = "streamable-http / sse: headers sent upstream (sealed at rest, answered redacted)") Map<String, String> headers,
        @Schema(description = "a pre-registered OAuth client for an upstream whose authorization server does not register clients; null removes it")
        OAuthDoc oauth,
        @Schema(description = "the header that carries a personal API-key credential, e.g. {\"name\": \"X-API-Key\", \"format\": \"{token}\"}; null removes it")
        Map<String, String> credentialHeader) {

    @Schema(name = "ServerOAuthClient")
    record OAuthDoc(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String clientId, String clientSecret, List<String> scopes,
                    String authorizationEndpoint, String tokenEndpoint) {
    }
}
