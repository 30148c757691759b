package gatehouse.scim;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.identity.Directory;
import gatehouse.platform.Json;
import gatehouse.testing.AdminClient;
import gatehouse.testing.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * SCIM 2.0 over HTTP with requests shaped exactly as Entra ID and Okta send them (their documented
 * payloads, including Entra's capitalised ops and boolean strings), plus the SCIM errors and the
 * discovery endpoints. The token comes from the admin API and no other kind of token is accepted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class ScimApiTest {
    private static final String ADMIN_TOKEN = "gha_scim-api-test-token-0123456789abcdefghijklmnopqrstuvwxyz";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    @Autowired Directory directory;
    AdminClient admin;
    String scimToken;

    record Answer(int status, String contentType, JsonNode body) {
    }

    @BeforeEach
    void token() {
        adminTokens.ensure(ADMIN_TOKEN, "scim-api-test");
        admin = new AdminClient("http://localhost:" + port, ADMIN_TOKEN);
        scimToken = admin.expect(201, "POST", "/scim-tokens", Map.of("name", "entra")).path("token").asString();
    }

    private Answer scim(String method, String path, String body) {
        return scim(method, path, body, scimToken);
    }

    private Answer scim(String method, String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/scim/v2" + path))
                .header("Authorization", "Bearer " + token).header("Accept", "application/scim+json");
        if (body != null) {
            b.header("Content-Type", "application/scim+json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body().isBlank() ? null : Json.tree(r.body()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String q(String filter) {
        return URLEncoder.encode(filter, StandardCharsets.UTF_8);
    }

    /** Entra ID's user creation payload (its documented shape, with the enterprise extension it sends). */
    private static String entraUser(String userName, String externalId) {
        return """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "externalId":"%s","userName":"%s","active":true,"displayName":"Test User",
                 "emails":[{"primary":true,"type":"work","value":"%s"}],
                 "meta":{"resourceType":"User"},
                 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
                 "roles":[],
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Engineering"}}""".formatted(externalId, userName, userName);
    }

    @Test
    void entraProvisionsFindsUpdatesAndDeactivatesAUser() {
        String userName = unique("entra") + "@contoso.example";
        // Entra first looks the user up by a filter on its matching attribute
        Answer none = scim("GET", "/Users?filter=" + q("userName eq \"" + userName + "\""), null);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.body().path("totalResults").asInt()).isZero();
        assertThat(none.body().path("schemas").get(0).asString()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:ListResponse");

        Answer created = scim("POST", "/Users", entraUser(userName, "ext-" + userName));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        assertThat(created.contentType()).startsWith("application/scim+json");
        String id = created.body().path("id").asString();
        assertThat(created.body().path("userName").asString()).isEqualTo(userName);
        assertThat(created.body().path("active").asBoolean()).isTrue();
        assertThat(created.body().path("name").path("givenName").asString()).isEqualTo("givenName");
        assertThat(directory.user(id).source()).isEqualTo("scim");

        Answer dup = scim("POST", "/Users", entraUser(userName, "other"));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.body().path("scimType").asString()).isEqualTo("uniqueness");
        assertThat(dup.body().path("schemas").get(0).asString()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");

        Answer found = scim("GET", "/Users?filter=" + q("externalId eq \"ext-" + userName + "\""), null);
        assertThat(found.body().path("totalResults").asInt()).isEqualTo(1);
        assertThat(found.body().path("Resources").get(0).path("id").asString()).isEqualTo(id);

        // Entra's update: capitalised ops, a value-filtered path, a dotted path
        Answer patched = scim("PATCH", "/Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                 {"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"new-%s"},
                 {"op":"Replace","path":"name.familyName","value":"Updated"},
                 {"op":"Add","path":"displayName","value":"Updated User"}]}""".formatted(userName));
        assertThat(patched.status()).as("%s", patched.body()).isEqualTo(200);
        assertThat(directory.user(id).email()).isEqualTo("new-" + userName);
        assertThat(patched.body().path("name").path("familyName").asString()).isEqualTo("Updated");

        // Entra's deactivation: "Replace" and the string "False"
        Answer off = scim("PATCH", "/Users/" + id, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}""");
        assertThat(off.status()).isEqualTo(200);
        assertThat(off.body().path("active").asBoolean()).isFalse();
        assertThat(directory.user(id).enabled()).isFalse();
        assertThat(scim("GET", "/Users?filter=" + q("active eq false and userName eq \"" + userName + "\""), null).body().path("totalResults").asInt())
                .isEqualTo(1);

        assertThat(scim("DELETE", "/Users/" + id, null).status()).isEqualTo(204);
        Answer gone = scim("GET", "/Users/" + id, null);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body().path("status").asString()).isEqualTo("404");
        assertThat(scim("DELETE", "/Users/" + id, null).status()).isEqualTo(404);
    }

    @Test
    void oktaProvisionsWithPutAndGroupsBecomeTeams() {
        String userName = unique("okta") + "@acme.example";
        Answer created = scim("POST", "/Users", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s",
                 "name":{"givenName":"Isaac","familyName":"Brock"},"emails":[{"primary":true,"value":"%s","type":"work"}],
                 "displayName":"Isaac Brock","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],
                 "password":"1mz050nq-long-enough","active":true}""".formatted(userName, userName));
        assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
        String uid = created.body().path("id").asString();
        assertThat(directory.user(uid).hasPassword()).isTrue();
        assertThat(created.body().has("password")).as("never returned").isFalse();

        // Okta's deactivation: PUT of the whole user with active false... then back
        JsonNode body = created.body().deepCopy();
        ((tools.jackson.databind.node.ObjectNode) body).put("active", false);
        assertThat(scim("PUT", "/Users/" + uid, body.toString()).body().path("active").asBoolean()).isFalse();
        // ... and its PATCH form
        Answer on = scim("PATCH", "/Users/" + uid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}""");
        assertThat(on.body().path("active").asBoolean()).isTrue();

        String groupName = unique("Engineering");
        Answer group = scim("POST", "/Groups", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"%s","members":[]}""".formatted(groupName));
        assertThat(group.status()).isEqualTo(201);
        String gid = group.body().path("id").asString();
        assertThat(directory.team(gid).name()).as("a group is a team").isEqualTo(groupName);

        Answer add = scim("PATCH", "/Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"%s","display":"%s"}]}]}"""
                .formatted(uid, userName));
        assertThat(add.status()).isEqualTo(204);
        assertThat(directory.team(gid).memberIds()).containsExactly(uid);
        assertThat(scim("GET", "/Users/" + uid, null).body().path("groups").get(0).path("value").asString()).isEqualTo(gid);
        assertThat(scim("GET", "/Groups?filter=" + q("displayName eq \"" + groupName + "\"") + "&excludedAttributes=members", null)
                .body().path("Resources").get(0).has("members")).isFalse();

        // Entra's member removal: op "Remove" with the member by value
        assertThat(scim("PATCH", "/Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"%s"}]}]}"""
                .formatted(uid)).status()).isEqualTo(204);
        assertThat(directory.team(gid).memberIds()).isEmpty();
        // Okta's: a value filter in the path
        scim("PATCH", "/Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"%s"}]}]}""".formatted(uid));
        scim("PATCH", "/Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \\"%s\\"]"}]}""".formatted(uid));
        assertThat(directory.team(gid).memberIds()).isEmpty();

        Answer rename = scim("PATCH", "/Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"%s","displayName":"%s-renamed"}}]}"""
                .formatted(gid, groupName));
        assertThat(rename.status()).isEqualTo(204);
        assertThat(directory.team(gid).name()).isEqualTo(groupName + "-renamed");
        Answer badMember = scim("PATCH", "/Groups/" + gid, """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"usr_nobody"}]}]}""");
        assertThat(badMember.status()).isEqualTo(400);
        assertThat(scim("DELETE", "/Groups/" + gid, null).status()).isEqualTo(204);
        assertThat(scim("GET", "/Groups/" + gid, null).status()).isEqualTo(404);
    }

    @Test
    void errorsPagingAndDiscovery() {
        Answer bad = scim("GET", "/Users?filter=" + q("userName zz \"x\""), null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("scimType").asString()).isEqualTo("invalidFilter");
        assertThat(scim("POST", "/Users", "{\"schemas\":[]}").body().path("scimType").asString()).isEqualTo("invalidValue");
        assertThat(scim("POST", "/Users", "{not json").body().path("scimType").asString()).isEqualTo("invalidSyntax");

        for (int i = 0; i < 3; i++) {
            scim("POST", "/Users", entraUser(unique("page") + "@paging.example", "p" + i));
        }
        Answer page = scim("GET", "/Users?filter=" + q("userName ew \"@paging.example\"") + "&startIndex=2&count=1", null);
        assertThat(page.body().path("totalResults").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(page.body().path("startIndex").asInt()).isEqualTo(2);
        assertThat(page.body().path("itemsPerPage").asInt()).isEqualTo(1);

        assertThat(scim("GET", "/ServiceProviderConfig", null).body().path("patch").path("supported").asBoolean()).isTrue();
        assertThat(scim("GET", "/ResourceTypes", null).body().path("totalResults").asInt()).isEqualTo(2);
        assertThat(scim("GET", "/Schemas", null).body().path("Resources").get(0).path("id").asString())
                .isEqualTo("urn:ietf:params:scim:schemas:core:2.0:User");
    }

    @Test
    void onlyScimTokensAreAccepted() {
        assertThat(scim("GET", "/Users", null, ADMIN_TOKEN).status()).as("an admin token").isEqualTo(401);
        assertThat(scim("GET", "/Users", null, "ghs_made-up").status()).isEqualTo(401);
        assertThat(admin.withToken(scimToken).send("GET", "/users", null).status()).as("a SCIM token on the admin API").isEqualTo(401);
        String id = admin.expect(200, "GET", "/scim-tokens", null).valueStream().filter(t -> t.path("name").asString().equals("entra"))
                .reduce((a, b) -> b).orElseThrow().path("id").asString();
        admin.expect(204, "DELETE", "/scim-tokens/" + id, null);
        assertThat(scim("GET", "/Users", null).status()).as("a revoked SCIM token").isEqualTo(401);
    }
}
