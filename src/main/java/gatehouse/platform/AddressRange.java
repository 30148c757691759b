package gatehouse.platform;

import java.net.InetAddress;

/**
 * An IP address or CIDR range from configuration ({@code 10.0.0.0/8}, {@code 192.0.2.7},
 * {@code fd00::/8}). Parsed as a literal only: a host name is refused, never resolved, so a
 * trusted-proxy list cannot be moved by whoever controls DNS.
 */
public record AddressRange(byte[] network, int prefix) {

    public static AddressRange parse(String text) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR range (host names are not accepted)");
        }
        byte[] bytes = a.getAddress();
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + bits);
            }
        }
        return new AddressRange(bytes, prefix);
    }

    /** Whether the IP literal {@code address} (as a servlet's remote address) is in this range; false for anything else. */
    public boolean contains(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        byte[] b;
        try {
            String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
            b = InetAddress.ofLiteral(a).getAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (b.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (b[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (b[full] & mask) == (network[full] & mask);
    }
}
