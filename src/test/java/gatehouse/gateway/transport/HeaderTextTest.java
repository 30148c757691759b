package gatehouse.gateway.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The endpoint's header checks decide every header name and value exactly as Spring Security's
 * default strict firewall does: every code point of the planes that assign any on its own (and some
 * private ones), and the strings where code points and
 * chars differ (surrogate pairs, lone surrogates).
 */
class HeaderTextTest {
    private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/gateway/v1/mcp");
    private final HttpServletRequest byDefault = new StrictHttpFirewall().getFirewalledRequest(request);
    private final HttpServletRequest byHeaderText = HeaderText.firewall().getFirewalledRequest(request);

    @Test
    void everyCodePointIsDecidedAsByTheDefaultFirewall() {
        List<String> differing = new ArrayList<>();
        // every plane with assigned characters (0-3, 14) and the first code points of the private ones
        for (int cp = 0; cp <= Character.MAX_CODE_POINT && differing.size() < 10; cp = cp == 0x3FFFF ? 0xE0000 : cp == 0xE0FFF ? 0xF0000
                : cp == 0xF00FF ? 0x10FF00 : cp + 1) {
            String s = "a" + Character.toString(cp) + "b";
            if (HeaderText.name(s) != accepted(byDefault, s, "x")) {
                differing.add("name U+" + Integer.toHexString(cp));
            }
            if (HeaderText.value(s) != accepted(byDefault, "x", s)) {
                differing.add("value U+" + Integer.toHexString(cp));
            }
        }
        assertThat(differing).isEmpty();
    }

    @Test
    void surrogatesTabsAndControlsAreDecidedAsByTheDefaultFirewall() {
        String[] samples = {"", "Bearer abc.DEF_123-~", "\uD83D\uDE00", "x\uD83D", "\uDE00x", "\uDE00\uD83D", "\uD83D\uD83D\uDE00",
                "\uDB7F\uDFFF", "\uDBBF\uDFFF", "a\tb", "\t", "a\u0085", "\u00A0\u00FF", "\u0378", "\u0100\u20AC", "\r\n", "\u007F"};
        for (String s : samples) {
            assertThat(HeaderText.name(s)).as("name %s", s.codePoints().boxed().toList()).isEqualTo(accepted(byDefault, s, "x"));
            assertThat(HeaderText.value(s)).as("value %s", s.codePoints().boxed().toList()).isEqualTo(accepted(byDefault, "x", s));
            assertThat(accepted(byHeaderText, "x", s)).isEqualTo(accepted(byDefault, "x", s));
        }
    }

    private boolean accepted(HttpServletRequest firewalled, String name, String value) {
        request.removeHeader(name);
        request.addHeader(name, value);
        try {
            firewalled.getHeader(name);
            return true;
        } catch (RequestRejectedException e) {
            return false;
        } finally {
            request.removeHeader(name);
        }
    }
}
