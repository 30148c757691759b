package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import gatehouse.catalog.ServerDef;
import gatehouse.platform.ProblemException;
import gatehouse.testing.GatewayTestSupport;

/**
 * An upstream that wants OAuth and lies in its metadata: about which resource it describes, which
 * issuer it is, where its endpoints are, or how much it sends. Gatehouse must not follow any of
 * it, and must refuse a callback whose {@code iss} names another authorization server.
 */
class UpstreamOAuthDiscoveryAttackTest extends GatewayTestSupport {
    @Autowired
    UpstreamOAuth oauth;
    @Autowired
    Directory directory;

    HostileAuthorizationServer as;

    @BeforeEach
    void start() throws Exception {
        as = new HostileAuthorizationServer();
    }

    @AfterEach
    void stop() {
        as.close();
    }

    private ServerDef server() {
        return catalog.server(admin.createHttpServer(unique("oauth-upstream"), "streamable-http", as.mcpUrl()));
    }

    @Test
    void anHonestServerIsDiscovered() {
        UpstreamOAuth.Metadata m = oauth.discover(server()).orElseThrow();
        assertThat(m.issuer()).isEqualTo(as.base());
        assertThat(m.tokenEndpoint()).isEqualTo(as.base() + "/token");
        assertThat(m.resource()).isEqualTo(as.mcpUrl());
        assertThat(m.issParameterSupported()).isTrue();
    }

    @Test
    void resourceMetadataForAnotherResourceIsRefused() {
        as.documents.put("/.well-known/oauth-protected-resource/mcp",
                b -> "{\"resource\":\"https://victim.example/mcp\",\"authorization_servers\":[\"" + b + "\"]}");
        assertThat(oauth.discover(server())).isEmpty();
    }

    @Test
    void anAuthorizationServerClaimingAnotherIssuerIsRefused() {
        as.documents.put("/.well-known/oauth-authorization-server", b -> "{\"issuer\":\"https://accounts.victim.example\","
                + "\"authorization_endpoint\":\"" + b + "/authorize\",\"token_endpoint\":\"" + b + "/token\"}");
        assertThat(oauth.discover(server())).isEmpty();
    }

    @Test
    void aTokenEndpointOnAnotherOriginIsRefused() {
        as.documents.put("/.well-known/oauth-authorization-server", b -> "{\"issuer\":\"" + b + "\","
                + "\"authorization_endpoint\":\"" + b + "/authorize\",\"token_endpoint\":\"http://127.0.0.2:9/steal\"}");
        assertThat(oauth.discover(server())).isEmpty();
    }

    @Test
    void anAuthorizationServerOnACloudMetadataAddressIsNeverAsked() {
        as.documents.put("/.well-known/oauth-protected-resource/mcp",
                b -> "{\"resource\":\"" + b + "/mcp\",\"authorization_servers\":[\"http://169.254.169.254/latest\"]}");
        assertThat(oauth.discover(server())).isEmpty();
        ServerDef s = server();
        assertThatThrownBy(() -> gatehouse.platform.OutboundHttp.vet(URI.create("https://169.254.169.254/latest"), oauth.policyFor(s)))
                .hasMessageContaining("special");
    }

    @Test
    void metadataLargerThan64KiBIsRefused() {
        as.documents.put("/.well-known/oauth-authorization-server", b -> "{\"issuer\":\"" + b + "\",\"authorization_endpoint\":\"" + b
                + "/authorize\",\"token_endpoint\":\"" + b + "/token\",\"padding\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(oauth.discover(server())).isEmpty();
    }

    @Test
    void aCallbackFromAnotherIssuerIsRefusedBeforeAnyTokenRequest() {
        String userId = directory.createUser(unique("mixup"), "correct horse battery", "m@example.com").id();
        ServerDef s = server();
        String state = state(oauth.begin(userId, s, "wizard-1"));
        assertThatThrownBy(() -> oauth.complete(userId, state, "code-1", null, "https://attacker.example"))
                .isInstanceOf(ProblemException.class).hasMessageContaining("another authorization server");
        String state2 = state(oauth.begin(userId, s, "wizard-2"));
        assertThatThrownBy(() -> oauth.complete(userId, state2, "code-2", null, null))
                .as("advertised, so a missing iss is refused too").isInstanceOf(ProblemException.class);
        assertThat(as.tokenRequests).isZero();
        String state3 = state(oauth.begin(userId, s, "wizard-3"));
        assertThat(oauth.complete(userId, state3, "code-3", null, as.base()).serverId()).isEqualTo(s.id());
        assertThat(as.tokenRequests).isEqualTo(1);
    }

    private static String state(URI authorize) {
        for (String kv : authorize.getRawQuery().split("&")) {
            if (kv.startsWith("state=")) {
                return kv.substring(6);
            }
        }
        throw new AssertionError("no state in " + authorize);
    }

    @Test
    void theResourceCheckReadsRfc9728() {
        URI server = URI.create("https://mcp.example.com/tools/mcp?tenant=1");
        assertThat(UpstreamOAuth.protects("https://mcp.example.com/tools/mcp", server)).isTrue();
        assertThat(UpstreamOAuth.protects("https://mcp.example.com/tools/mcp/", server)).isTrue();
        assertThat(UpstreamOAuth.protects("https://mcp.example.com", server)).isTrue();
        assertThat(UpstreamOAuth.protects("https://mcp.example.com/tools", server)).isTrue();
        assertThat(UpstreamOAuth.protects("https://mcp.example.com/to", server)).isFalse();
        assertThat(UpstreamOAuth.protects("https://other.example.com/tools/mcp", server)).isFalse();
        assertThat(UpstreamOAuth.protects("http://mcp.example.com/tools/mcp", server)).isFalse();
        assertThat(UpstreamOAuth.protects("https://mcp.example.com:8443/tools/mcp", server)).isFalse();
    }
}
