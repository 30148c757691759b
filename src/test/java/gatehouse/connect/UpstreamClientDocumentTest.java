package gatehouse.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import gatehouse.platform.Json;
import gatehouse.testing.GatewayTestSupport;
import tools.jackson.databind.JsonNode;

/**
 * Gatehouse's Client ID Metadata Document, as an upstream authorization server fetches it: public
 * (no token), cacheable, its {@code client_id} the document's own URL, a public client (PKCE, no
 * secret) whose one redirect URI is Gatehouse's upstream callback on the same origin.
 */
class UpstreamClientDocumentTest extends GatewayTestSupport {

    @Test
    void anAuthorizationServerReadsAPublicClientWhoseIdIsTheDocumentsUrl() throws Exception {
        HttpResponse<String> r;
        try (HttpClient http = HttpClient.newHttpClient()) {
            r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/oauth/upstream-client.json")).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as("no token needed").isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.headers().firstValue("Cache-Control").orElse("")).contains("max-age=3600").contains("public");
        JsonNode d = Json.MAPPER.readTree(r.body());
        URI id = URI.create(d.path("client_id").asString());
        assertThat(id.getPath()).isEqualTo("/oauth/upstream-client.json");
        assertThat(id.getScheme()).isIn("http", "https");
        assertThat(d.path("redirect_uris")).hasSize(1);
        URI redirect = URI.create(d.path("redirect_uris").get(0).asString());
        assertThat(redirect.getScheme() + "://" + redirect.getAuthority()).as("the callback on the document's origin")
                .isEqualTo(id.getScheme() + "://" + id.getAuthority());
        assertThat(d.path("token_endpoint_auth_method").asString()).as("a public client").isEqualTo("none");
        assertThat(d.path("grant_types").toString()).contains("authorization_code").contains("refresh_token");
        assertThat(d.has("client_secret")).isFalse();
        assertThat(d.path("client_name").asString()).isEqualTo("Gatehouse");
    }
}
