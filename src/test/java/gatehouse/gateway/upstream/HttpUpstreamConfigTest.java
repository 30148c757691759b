package gatehouse.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.catalog.ServerDef;
import gatehouse.catalog.Transport;

class HttpUpstreamConfigTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration S = Duration.ofSeconds(1);

    private static ServerDef server(String url) {
        return new ServerDef("srv-1", "remote", Transport.STREAMABLE_HTTP, null, null, url, Map.of(), Instant.now(), Instant.now());
    }

    @Test
    void aValidConfigurationNamesItsServerAndUrl() {
        HttpUpstreamConfig c = new HttpUpstreamConfig(server("https://mcp.example.com/mcp"), HTTP, Map.of(), Upstreams.ownInitParams(),
                S, S, 1024);
        assertThat(c.name()).isEqualTo("remote");
        assertThat(c.uri().getHost()).isEqualTo("mcp.example.com");
    }

    @Test
    void missingPartsAndNonsenseLimitsAreRefusedWithTheirName() {
        var init = Upstreams.ownInitParams();
        assertThatThrownBy(() -> new HttpUpstreamConfig(server(null), HTTP, Map.of(), init, S, S, 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'remote' has no URL");
        assertThatThrownBy(() -> new HttpUpstreamConfig(server("http://h/"), HTTP, Map.of(), init, Duration.ZERO, S, 1024))
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> new HttpUpstreamConfig(server("http://h/"), HTTP, Map.of(), init, S, Duration.ofSeconds(-1), 1024))
                .hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> new HttpUpstreamConfig(server("http://h/"), HTTP, Map.of(), init, S, S, 0))
                .hasMessageContaining("maxMessageBytes");
        assertThatThrownBy(() -> new HttpUpstreamConfig(server("http://h/"), null, Map.of(), init, S, S, 1))
                .isInstanceOf(NullPointerException.class).hasMessage("http");
    }
}
