package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The HTTP edge on its own: forwarded headers believed only from trusted proxies (a client cannot
 * choose its own address), and Host names other than Gatehouse's own refused (DNS rebinding).
 */
class EdgeFilterTest {
    private static final EdgeFilter FILTER = new EdgeFilter(
            new EdgeProperties(List.of("mcp.internal", "gw.example.org:8443"), List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8")),
            "https://gatehouse.example.com");

    private static HttpServletRequest seen(String remote, String host, String xff, String proto) throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("POST", "/gateway/v1/mcp");
        req.setRemoteAddr(remote);
        if (host != null) {
            req.addHeader("Host", host);
        }
        if (xff != null) {
            req.addHeader("X-Forwarded-For", xff);
        }
        if (proto != null) {
            req.addHeader("X-Forwarded-Proto", proto);
        }
        AtomicReference<HttpServletRequest> passed = new AtomicReference<>();
        MockHttpServletResponse resp = new MockHttpServletResponse();
        FILTER.doFilter(req, resp, (r, s) -> passed.set((HttpServletRequest) r));
        if (passed.get() == null) {
            throw new IllegalStateException("refused with " + resp.getStatus() + ": " + resp.getContentAsString());
        }
        return passed.get();
    }

    @Test
    void aClientCannotChooseItsAddressByForgingForwardedHeaders() throws Exception {
        HttpServletRequest direct = seen("198.51.100.9", "gatehouse.example.com", "203.0.113.50", "https");
        assertThat(direct.getRemoteAddr()).isEqualTo("198.51.100.9");
        assertThat(direct.getScheme()).isEqualTo("http");
        assertThat(direct.isSecure()).isFalse();
    }

    @Test
    void behindATrustedProxyTheClientIsTheRightmostUntrustedHop() throws Exception {
        HttpServletRequest viaProxy = seen("10.1.2.3", "gatehouse.example.com", "203.0.113.50", "https");
        assertThat(viaProxy.getRemoteAddr()).isEqualTo("203.0.113.50");
        assertThat(viaProxy.getScheme()).isEqualTo("https");
        assertThat(viaProxy.isSecure()).isTrue();
        // The client wrote its own X-Forwarded-For; the proxy appended the real address: only that counts.
        assertThat(seen("10.1.2.3", null, "1.1.1.1, 203.0.113.50", null).getRemoteAddr()).isEqualTo("203.0.113.50");
        // Two trusted proxies in a row are skipped.
        assertThat(seen("192.0.2.7", null, "203.0.113.50, 10.9.9.9", null).getRemoteAddr()).isEqualTo("203.0.113.50");
        assertThat(seen("fd00::1", null, "2001:db8::5", null).getRemoteAddr()).isEqualTo("2001:db8::5");
        // A hop that is not an address ends what can be believed.
        assertThat(seen("10.1.2.3", null, "203.0.113.50, evil\r\nX: y", null).getRemoteAddr()).isEqualTo("10.1.2.3");
        assertThat(seen("10.1.2.3", null, null, "gopher").getScheme()).isEqualTo("http");
    }

    @Test
    void foreignHostNamesAreRefusedBeforeAnyRoute() throws Exception {
        for (String ok : List.of("gatehouse.example.com", "GATEHOUSE.example.com:443", "mcp.internal:8080", "gw.example.org",
                "localhost:8080", "127.0.0.1:8080", "[::1]:8080", "10.0.0.5")) {
            assertThat(seen("127.0.0.1", ok, null, null)).as(ok).isNotNull();
        }
        for (String bad : List.of("evil.example", "gatehouse.example.com.evil.example", "localhost.evil.example", "127.0.0.1.nip.io")) {
            assertThatThrownBy(() -> seen("127.0.0.1", bad, null, null)).as(bad)
                    .hasMessageContaining("refused with 421")
                    .hasMessageContaining("\"code\":-32600")
                    .hasMessageContaining("gatehouse.http.allowed-hosts");
        }
    }

    @Test
    void healthProbesMayUseAnyName() throws Exception {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/healthz");
        req.addHeader("Host", "10-0-0-5.pod.cluster.local");
        AtomicReference<Object> passed = new AtomicReference<>();
        FILTER.doFilter(req, new MockHttpServletResponse(), (r, s) -> passed.set(r));
        assertThat(passed.get()).isNotNull();
    }

    @Test
    void aStarAllowsEveryHost() throws Exception {
        EdgeFilter any = new EdgeFilter(new EdgeProperties(List.of("*"), List.of()), "https://gatehouse.example.com");
        MockHttpServletRequest req = new MockHttpServletRequest("GET", "/api/v1/servers");
        req.addHeader("Host", "evil.example");
        AtomicReference<Object> passed = new AtomicReference<>();
        any.doFilter(req, new MockHttpServletResponse(), (r, s) -> passed.set(r));
        assertThat(passed.get()).isNotNull();
    }

    @Test
    void trustedProxiesMustBeAddressesNeverNames() {
        assertThatThrownBy(() -> new EdgeFilter(new EdgeProperties(List.of(), List.of("proxy.internal")), "https://g.example"))
                .hasMessageContaining("host names are not accepted");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessageContaining("prefix length must be 0..32");
        assertThat(AddressRange.parse("10.0.0.0/8").contains("10.255.1.1")).isTrue();
        assertThat(AddressRange.parse("10.0.0.0/8").contains("11.0.0.1")).isFalse();
        assertThat(AddressRange.parse("172.16.0.0/12").contains("172.31.255.255")).isTrue();
        assertThat(AddressRange.parse("172.16.0.0/12").contains("172.32.0.0")).isFalse();
        assertThat(AddressRange.parse("fd00::/8").contains("10.0.0.1")).isFalse();
        assertThat(AddressRange.parse("0.0.0.0/0").contains("203.0.113.9")).isTrue();
        assertThat(AddressRange.parse("10.0.0.0/8").contains("not-an-address")).isFalse();
    }
}
