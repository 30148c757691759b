package gatehouse.gateway.transport;

import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The firewall's rule for header names and values, without a regular expression: a name holds only
 * assigned, non-control characters ({@code [\p{IsAssigned}&&[^\p{IsControl}]]*}), a value the same
 * or a tab ({@code [\p{IsAssigned}&&[[^\p{IsControl}]||\t]]*}). The firewall checks the name and
 * the value on every header read, several per MCP message; the expressions were about a twentieth of
 * a small call's request thread. Characters below U+0100 (nearly every header) are decided by their
 * code; the rest by their Unicode category, code point by code point, as the expressions do.
 */
final class HeaderText {
    private HeaderText() {
    }

    /** A strict firewall whose header checks are these (every other check as by default). */
    static StrictHttpFirewall firewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(HeaderText::name);
        firewall.setAllowedHeaderValues(HeaderText::value);
        return firewall;
    }

    static boolean name(String s) {
        return allowed(s, false);
    }

    static boolean value(String s) {
        return allowed(s, true);
    }

    private static boolean allowed(String s, boolean tab) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F || c >= 0xA0 && c < 0x100) {
                continue; // printable ASCII and Latin-1: assigned, not control
            }
            if (c < 0x100) {
                if (tab && c == '\t') {
                    continue;
                }
                return false; // C0, DEL, C1: control
            }
            int cp = s.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.UNASSIGNED || type == Character.CONTROL) {
                return false;
            }
            i += Character.charCount(cp) - 1;
        }
        return true;
    }
}
