package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import gatehouse.platform.ProblemException;

/** The shapes an administrator gives for a server's OAuth client and key header, and what they refuse. */
class UpstreamClientsTest {

    @Test
    void aKeyGoesInTheConfiguredHeaderAndFormat() {
        assertThat(new UpstreamClients.KeyHeader("X-API-Key", null).value("k1")).isEqualTo("k1");
        assertThat(new UpstreamClients.KeyHeader("Authorization", "Token {token}").value("k2")).isEqualTo("Token k2");
        assertThat(UpstreamClients.KeyHeader.BEARER.isBearer()).isTrue();
        assertThat(new UpstreamClients.KeyHeader("authorization", "Bearer {token}").isBearer()).isTrue();
        assertThat(new UpstreamClients.KeyHeader("Authorization", "Token {token}").isBearer()).isFalse();
    }

    @Test
    void headersTheTransportSetsItselfOrBrokenFormatsAreRefused() {
        for (String name : List.of("Host", "content-type", "Mcp-Session-Id", "X Bad", "")) {
            assertThatThrownBy(() -> new UpstreamClients.KeyHeader(name, null)).as(name).isInstanceOf(ProblemException.class)
                    .hasMessageContaining("credentialHeader.name");
        }
        for (String format : List.of("Token", "{token} {token}", "Token {token}\r\nX-Evil: 1")) {
            assertThatThrownBy(() -> new UpstreamClients.KeyHeader("X-API-Key", format)).as(format).isInstanceOf(ProblemException.class)
                    .hasMessageContaining("credentialHeader.format");
        }
        UpstreamClients.KeyHeader h = new UpstreamClients.KeyHeader("X-API-Key", null);
        assertThatThrownBy(() -> h.value("a\r\nX-Evil: 1")).isInstanceOf(ProblemException.class).hasMessageContaining("line breaks");
    }

    @Test
    void anOAuthClientNeedsAnIdAndBothEndpointsOrNeitherAndNeverPrintsItsSecret() {
        UpstreamClients.OAuthClient c = new UpstreamClients.OAuthClient("id-1", "s3cret-value", List.of("read", "write"), null, null);
        assertThat(c.hasEndpoints()).isFalse();
        assertThat(c.toString()).doesNotContain("s3cret-value");
        assertThat(new UpstreamClients.OAuthClient("id-2", null, null, "https://as.example/authorize", "https://as.example/token")
                .hasEndpoints()).isTrue();
        assertThatThrownBy(() -> new UpstreamClients.OAuthClient(" ", null, null, null, null)).hasMessageContaining("oauth.clientId");
        assertThatThrownBy(() -> new UpstreamClients.OAuthClient("id", null, null, "https://as.example/authorize", null))
                .hasMessageContaining("oauth.tokenEndpoint");
        assertThatThrownBy(() -> new UpstreamClients.OAuthClient("id", null, List.of("two words"), null, null))
                .hasMessageContaining("oauth.scopes");
        assertThatThrownBy(() -> new UpstreamClients.OAuthClient("id", null, null, "ftp://as.example/a", "https://as.example/t"))
                .hasMessageContaining("oauth.authorizationEndpoint");
        assertThatThrownBy(() -> new UpstreamClients.OAuthClient("id", "", null, null, null)).hasMessageContaining("oauth.clientSecret");
    }

    @Test
    void consentIsAskedOnlyForWhatThePersonCanRenewThemselves() {
        var mine = new UpstreamCredentials.Unusable("rejected", "renew it", "https://g.example/connect/servers/s");
        assertThat(ConsentRequests.needed(mine)).isSameAs(mine);
        assertThat(ConsentRequests.needed(new UpstreamCredentials.Unusable("missing", "an administrator adds one"))).isNull();
        assertThat(ConsentRequests.needed(new UpstreamCredentials.Bearer("t"))).isNull();
        assertThat(ConsentRequests.needed(new UpstreamCredentials.KeyHeader("X-API-Key", "k"))).isNull();
        assertThat(ConsentRequests.needed(new UpstreamCredentials.None())).isNull();
    }
}
