package gatehouse.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.platform.GatehouseProperties;

class TransportGuardTest {
    private static final GatehouseProperties PROPS = new GatehouseProperties("/tmp", "https://gatehouse.example.com",
            new GatehouseProperties.Mcp(1024, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMinutes(5), 10,
                    List.of("https://console.example.org"), 16L << 20, Duration.ofSeconds(60)));
    private final TransportGuard guard = new TransportGuard(PROPS);

    private static McpHttpRequest request(Map<String, String> headers) {
        return new McpHttpRequest() {
            @Override
            public String header(String name) {
                return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                        .findFirst().orElse(null);
            }

            @Override
            public String query(String name) {
                return null;
            }

            @Override
            public byte[] body() {
                return new byte[0];
            }
        };
    }

    @Test
    void originsAllowedAreNoneThePublicUrlAndConfiguredOnes() {
        for (String ok : List.of("https://gatehouse.example.com", "https://GATEHOUSE.example.com:443", "https://console.example.org")) {
            assertThatCode(() -> guard.checkOrigin(request(Map.of("Origin", ok)))).as(ok).doesNotThrowAnyException();
        }
        assertThatCode(() -> guard.checkOrigin(request(Map.of()))).doesNotThrowAnyException();
    }

    /** Any other local app or dev server is another site: loopback pages pass only when configured. */
    @Test
    void loopbackOriginsAreRefusedUnlessConfigured() {
        TransportGuard loopbackAllowed = new TransportGuard(PROPS, true);
        for (String local : List.of("http://localhost:3000", "http://127.0.0.1", "http://[::1]:6274")) {
            assertThatThrownBy(() -> guard.checkOrigin(request(Map.of("Origin", local)))).as(local)
                    .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(403));
            assertThatCode(() -> loopbackAllowed.checkOrigin(request(Map.of("Origin", local)))).as(local).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> loopbackAllowed.checkOrigin(request(Map.of("Origin", "http://localhost.evil.example"))))
                .isInstanceOf(HttpProblem.class);
    }

    @Test
    void hostileOriginIsForbidden() {
        for (String bad : List.of("http://evil.example", "https://gatehouse.example.com.evil.example", "http://gatehouse.example.com",
                "null")) {
            assertThatThrownBy(() -> guard.checkOrigin(request(Map.of("Origin", bad)))).as(bad)
                    .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(403));
        }
    }

    @Test
    void postNeedsBothAcceptTypesAndJsonContent() {
        assertThatCode(() -> guard.checkPost(request(Map.of("Accept", "application/json, text/event-stream",
                "Content-Type", "application/json; charset=utf-8")))).doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.checkPost(request(Map.of("Accept", "application/json", "Content-Type", "application/json"))))
                .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(406));
        assertThatThrownBy(() -> guard.checkPost(request(Map.of("Accept", "application/json, text/event-stream", "Content-Type", "text/plain"))))
                .isInstanceOfSatisfying(HttpProblem.class, p -> assertThat(p.status()).isEqualTo(415));
    }

    @Test
    void unknownProtocolVersionHeaderIsRefused() {
        assertThatThrownBy(() -> guard.checkVersionHeader(request(Map.of("MCP-Protocol-Version", "1999-01-01"))))
                .isInstanceOfSatisfying(HttpProblem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.getMessage()).contains("1999-01-01").contains("2025-11-25");
                });
        assertThatCode(() -> guard.checkVersionHeader(request(Map.of("MCP-Protocol-Version", "2025-06-18")))).doesNotThrowAnyException();
    }
}
