package gatehouse.authserver;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.testing.GatewayTestSupport;
import gatehouse.testing.McpTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The identity provider's lifecycle end to end: a person provisioned by SCIM (user and group, the
 * group holding a gateway) connects an MCP client through the real OAuth flow and uses it; the
 * identity provider then deactivates them (Entra's PATCH) and the very next MCP message is refused,
 * the refresh token no longer works, and the connection is gone.
 */
class ScimDeprovisioningTest extends GatewayTestSupport {
    private static final String REDIRECT = "http://localhost:7777/callback";
    private static final String PASSWORD = "scim-provisioned-password";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private JsonNode scim(String token, String method, String path, String body, int expected) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + "/scim/v2" + path)).header("Authorization", "Bearer " + token);
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/scim+json").method(method, HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(expected);
            return r.body().isBlank() ? null : Json.tree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void deactivationByTheIdentityProviderCutsAnOpenConnection() {
        String scimToken = admin.expect(201, "POST", "/scim-tokens", Map.of("name", "idp")).path("token").asString();
        String gateway = admin.createGateway(unique("scim-gw"));
        String userName = unique("dana") + "@corp.example";
        String uid = scim(scimToken, "POST", "/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s","password":"%s","active":true,
                 "emails":[{"value":"%s","type":"work","primary":true}]}""".formatted(userName, PASSWORD, userName), 201).path("id").asString();
        String teamName = unique("scim-team");
        String teamId = scim(scimToken, "POST", "/Groups", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"%s","members":[{"value":"%s"}]}"""
                .formatted(teamName, uid), 201).path("id").asString();
        admin.grantGateway(gateway, teamId);

        OAuthDriver d = new OAuthDriver(baseUrl());
        String clientId = d.register(List.of(REDIRECT)).path("client_id").asString();
        String verifier = OAuthDriver.verifier();
        OAuthDriver.Outcome o = d.walk(d.authorizeUrl(clientId, REDIRECT, verifier, PUBLIC_URL + "/gateway/v1/mcp?gateway=" + gateway, "s"),
                userName, PASSWORD, null, Map.of(), true);
        assertThat(o.param("code")).as("code in %s", o.pages()).isNotNull();
        OAuthDriver.Tokens t = d.exchange(clientId, o.param("code"), verifier, REDIRECT);
        assertThat(t.status()).isEqualTo(200);
        assertThat(admin.expect(200, "GET", "/connections?gateway=" + gateway, null).valueStream()
                .filter(c -> uid.equals(c.path("userId").asString())).count()).isEqualTo(1);

        McpTestClient client = new McpTestClient(mcpUrl(gateway), t.access());
        assertThat(client.initialize(McpTestClient.capabilities()).status()).isEqualTo(200);
        assertThat(client.call("ping", Json.object()).status()).isEqualTo(200);

        scim(scimToken, "PATCH", "/Users/" + uid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}""", 200);

        McpTestClient.Result after = client.call("ping", Json.object());
        assertThat(after.status()).as("the next message on the open session: %s", after.body()).isIn(401, 403, 404);
        assertThat(new McpTestClient(mcpUrl(gateway), t.access()).initialize(McpTestClient.capabilities()).status()).isEqualTo(401);
        assertThat(d.refresh(clientId, t.refresh()).status()).as("the refresh token is revoked").isEqualTo(400);
        assertThat(admin.expect(200, "GET", "/connections?gateway=" + gateway, null).valueStream()
                .noneMatch(c -> uid.equals(c.path("userId").asString()))).isTrue();

        // re-activation does not bring the old grant back
        scim(scimToken, "PATCH", "/Users/" + uid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}""", 200);
        assertThat(new McpTestClient(mcpUrl(gateway), t.access()).initialize(McpTestClient.capabilities()).status()).isEqualTo(401);

        // deletion by the identity provider
        scim(scimToken, "DELETE", "/Users/" + uid, null, 204);
        assertThat(admin.send("GET", "/users/" + uid, null).status()).isEqualTo(404);
    }
}
