package gatehouse.platform;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which addresses an outgoing request chosen by someone else (an upstream's OAuth metadata, a
 * client's metadata document URL) may reach. Every address is put in one class: {@code PUBLIC};
 * {@code PRIVATE} (RFC 1918, RFC 6598 shared space, IPv6 unique local); {@code LOOPBACK}; or
 * {@code SPECIAL}, every other special-purpose range of the IANA registries (unspecified, "this
 * network", link-local with the cloud metadata address, IETF protocol assignments, documentation,
 * benchmarking, multicast, reserved, broadcast, site-local, discard-only, ORCHIDv2), which nothing
 * reaches (Teredo included). IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64, 6to4, Teredo) are judged by
 * the IPv4 address they carry.
 */
public enum AddressPolicy {
    PUBLIC, PRIVATE, LOOPBACK, SPECIAL;

    public static AddressPolicy classify(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 ? v4(b) : v6(b);
    }

    /** The classes a request may reach: public, plus private and loopback when allowed. Special never. */
    public static Set<AddressPolicy> allowed(boolean privateAllowed, boolean loopbackAllowed) {
        EnumSet<AddressPolicy> s = EnumSet.of(PUBLIC);
        if (privateAllowed) {
            s.add(PRIVATE);
        }
        if (loopbackAllowed) {
            s.add(LOOPBACK);
        }
        return s;
    }

    private static AddressPolicy v4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 127) {
            return LOOPBACK;
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168) || (a0 == 100 && (a1 & 0xc0) == 64)) {
            return PRIVATE;
        }
        if (a0 == 0                                        // "this network"
                || (a0 == 169 && a1 == 254)                // link-local, cloud metadata
                || (a0 == 192 && a1 == 0 && a2 == 0)       // IETF protocol assignments
                || (a0 == 192 && a1 == 0 && a2 == 2)       // TEST-NET-1
                || (a0 == 192 && a1 == 88 && a2 == 99)     // 6to4 relay anycast
                || (a0 == 198 && (a1 & 0xfe) == 18)        // benchmarking
                || (a0 == 198 && a1 == 51 && a2 == 100)    // TEST-NET-2
                || (a0 == 203 && a1 == 0 && a2 == 113)     // TEST-NET-3
                || a0 >= 224) {                            // multicast, reserved, broadcast
            return SPECIAL;
        }
        return PUBLIC;
    }

    private static AddressPolicy v6(byte[] b) {
        boolean zeroTo10 = true;
        for (int i = 0; i < 10; i++) {
            zeroTo10 &= b[i] == 0;
        }
        if (zeroTo10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return v4(new byte[] {b[12], b[13], b[14], b[15]}); // ::ffff:a.b.c.d
        }
        if (zeroTo10 && b[10] == 0 && b[11] == 0) {
            boolean zeroTo14 = b[12] == 0 && b[13] == 0 && b[14] == 0;
            if (zeroTo14 && b[15] == 1) {
                return LOOPBACK; // ::1
            }
            if (zeroTo14 && b[15] == 0) {
                return SPECIAL; // ::
            }
            return v4(new byte[] {b[12], b[13], b[14], b[15]}); // deprecated IPv4-compatible ::a.b.c.d
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (w0 == 0x0064 && w1 == 0xff9b) {
            return v4(new byte[] {b[12], b[13], b[14], b[15]}); // NAT64 64:ff9b::/96 (and the local-use /48)
        }
        if (w0 == 0x2002) {
            return v4(new byte[] {b[2], b[3], b[4], b[5]}); // 6to4
        }
        if (w0 == 0x2001 && w1 == 0x0000) {
            return SPECIAL; // Teredo tunnels: where they lead is not for a server to decide
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return PRIVATE; // fc00::/7 unique local
        }
        if ((b[0] & 0xff) == 0xfe && ((b[1] & 0xc0) == 0x80 || (b[1] & 0xc0) == 0xc0)) {
            return SPECIAL; // fe80::/10 link-local, fec0::/10 site-local
        }
        if ((b[0] & 0xff) == 0xff) {
            return SPECIAL; // multicast
        }
        if (w0 == 0x0100 && w1 == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0) {
            return SPECIAL; // 100::/64 discard-only
        }
        if (w0 == 0x2001 && (w1 & 0xfe00) == 0) {
            return SPECIAL; // 2001::/23 IETF protocol assignments (ORCHID, benchmarking, …)
        }
        if (w0 == 0x2001 && w1 == 0x0db8) {
            return SPECIAL; // documentation
        }
        if (w0 == 0x3fff && (w1 & 0xf000) == 0) {
            return SPECIAL; // 3fff::/20 documentation
        }
        if ((w0 & 0xe000) != 0x2000) {
            return SPECIAL; // outside 2000::/3, the only global unicast space allocated
        }
        return PUBLIC;
    }

    /** Classifies an IP literal; for tests and configuration checks. */
    public static AddressPolicy classify(String literal) {
        try {
            return classify(InetAddress.ofLiteral(literal));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: " + literal, e);
        }
    }

    static InetAddress[] resolve(String host) throws UnknownHostException {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return InetAddress.getAllByName(h);
    }
}
