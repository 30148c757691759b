package gatehouse.policy.rules.pii;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checksums and format rules that turn a pattern match into a confirmed (or refuted) finding. Each
 * takes the matched text and answers whether it is valid; none keeps or logs it.
 */
public final class Validators {
    private Validators() {
    }

    static String digits(CharSequence s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Luhn (mod 10) over the digits, ignoring separators. */
    public static boolean luhn(String value) {
        String d = digits(value);
        if (d.isEmpty()) {
            return false;
        }
        int sum = 0;
        boolean dbl = false;
        for (int i = d.length() - 1; i >= 0; i--) {
            int n = d.charAt(i) - '0';
            if (dbl) {
                n *= 2;
                if (n > 9) {
                    n -= 9;
                }
            }
            sum += n;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    /** A payment card: 13 to 19 digits, a known issuer prefix and a valid Luhn check digit. */
    public static boolean creditCard(String value) {
        String d = digits(value);
        if (d.length() < 13 || d.length() > 19 || !luhn(d) || allSame(d)) {
            return false;
        }
        int p2 = Integer.parseInt(d.substring(0, 2));
        int p4 = Integer.parseInt(d.substring(0, 4));
        char c0 = d.charAt(0);
        return c0 == '4' // Visa
                || (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720) // Mastercard
                || p2 == 34 || p2 == 37 // American Express
                || p4 == 6011 || p2 == 65 || (p4 >= 6440 && p4 <= 6499) // Discover
                || p2 == 35 // JCB
                || p2 == 36 || p2 == 38 || p2 == 30 // Diners Club
                || p2 == 62; // UnionPay
    }

    private static boolean allSame(String d) {
        for (int i = 1; i < d.length(); i++) {
            if (d.charAt(i) != d.charAt(0)) {
                return false;
            }
        }
        return true;
    }

    /** IBAN lengths per country (ISO 13616 registry). */
    static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(
            Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
            Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BR", 29),
            Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24),
            Map.entry("DE", 22), Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29),
            Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22),
            Map.entry("GE", 22), Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28),
            Map.entry("HR", 21), Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23),
            Map.entry("IS", 26), Map.entry("IT", 27), Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20),
            Map.entry("LB", 28), Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20),
            Map.entry("LV", 21), Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19),
            Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NL", 18), Map.entry("NO", 15),
            Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29), Map.entry("PT", 25), Map.entry("QA", 29),
            Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24), Map.entry("SC", 31), Map.entry("SE", 24),
            Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("ST", 25), Map.entry("SV", 28),
            Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VA", 22),
            Map.entry("VG", 24), Map.entry("XK", 20));

    /** An IBAN: known country, that country's length, and ISO 7064 mod 97 = 1. Spaces and dashes ignored. */
    public static boolean iban(String value) {
        StringBuilder b = new StringBuilder(34);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '-') {
                continue;
            }
            if (!Character.isLetterOrDigit(c) || c > 127) {
                return false;
            }
            b.append(Character.toUpperCase(c));
        }
        String s = b.toString();
        if (s.length() < 15) {
            return false;
        }
        Integer len = IBAN_LENGTHS.get(s.substring(0, 2));
        if (len == null || len != s.length() || !Character.isDigit(s.charAt(2)) || !Character.isDigit(s.charAt(3))) {
            return false;
        }
        String r = s.substring(4) + s.substring(0, 4);
        int mod = 0;
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            int v = c >= 'A' ? c - 'A' + 10 : c - '0';
            mod = v >= 10 ? (mod * 100 + v) % 97 : (mod * 10 + v) % 97;
        }
        return mod == 1;
    }

    /**
     * A US social security number: area not 000, 666 or 9xx, group not 00, serial not 0000, not all
     * one digit, and not one of the numbers published as examples (never issued to anyone).
     */
    public static boolean usSsn(String value) {
        String d = digits(value);
        if (d.length() != 9 || allSame(d)) {
            return false;
        }
        String area = d.substring(0, 3);
        if (area.equals("000") || area.equals("666") || area.charAt(0) == '9' || d.startsWith("00", 3) || d.endsWith("0000")) {
            return false;
        }
        return !PUBLISHED_SSNS.contains(d);
    }

    /** Example SSNs printed on sample cards and in advertising: never valid identifiers. */
    static final Set<String> PUBLISHED_SSNS = Set.of("078051120", "219099999", "123456789", "457555462", "987654320",
            "987654321", "987654322", "987654323", "987654324", "987654325", "987654326", "987654327", "987654328", "987654329");

    /** A US ITIN: 9xx, group 50-65, 70-88, 90-92 or 94-99. */
    public static boolean usItin(String value) {
        String d = digits(value);
        if (d.length() != 9 || d.charAt(0) != '9') {
            return false;
        }
        int g = Integer.parseInt(d.substring(3, 5));
        return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
    }

    /** An ABA routing number: 9 digits, a valid first-two-digit range and the 3-7-1 weighted checksum. */
    public static boolean abaRouting(String value) {
        String d = digits(value);
        if (d.length() != 9 || allSame(d)) {
            return false;
        }
        int p = Integer.parseInt(d.substring(0, 2));
        if (!((p <= 12) || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p == 80)) {
            return false;
        }
        int[] w = {3, 7, 1};
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += (d.charAt(i) - '0') * w[i % 3];
        }
        return sum % 10 == 0;
    }

    /** A UK NHS number: 10 digits, mod 11 check digit (weights 10..2). */
    public static boolean ukNhs(String value) {
        String d = digits(value);
        if (d.length() != 10 || allSame(d)) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += (d.charAt(i) - '0') * (10 - i);
        }
        int check = 11 - sum % 11;
        if (check == 11) {
            check = 0;
        }
        return check != 10 && check == d.charAt(9) - '0';
    }

    /** A DEA registration number (US medical licence): two letters, seven digits, weighted check digit. */
    public static boolean deaNumber(String value) {
        if (value.length() != 9) {
            return false;
        }
        String d = value.substring(2);
        for (int i = 0; i < 7; i++) {
            if (!Character.isDigit(d.charAt(i))) {
                return false;
            }
        }
        int odd = (d.charAt(0) - '0') + (d.charAt(2) - '0') + (d.charAt(4) - '0');
        int even = (d.charAt(1) - '0') + (d.charAt(3) - '0') + (d.charAt(5) - '0');
        return (odd + 2 * even) % 10 == d.charAt(6) - '0';
    }

    private static final int[][] VERHOEFF_D = {
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
            {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
            {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
            {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
    private static final int[][] VERHOEFF_P = {
            {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
            {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
            {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

    /** Verhoeff's dihedral-group checksum over the digits (Indian Aadhaar numbers use it). */
    public static boolean verhoeff(String value) {
        String d = digits(value);
        if (d.isEmpty()) {
            return false;
        }
        int c = 0;
        for (int i = 0; i < d.length(); i++) {
            int n = d.charAt(d.length() - 1 - i) - '0';
            c = VERHOEFF_D[c][VERHOEFF_P[i % 8][n]];
        }
        return c == 0;
    }

    /** An Aadhaar number: 12 digits, not starting with 0 or 1, Verhoeff-valid. */
    public static boolean aadhaar(String value) {
        String d = digits(value);
        return d.length() == 12 && d.charAt(0) >= '2' && !allSame(d) && verhoeff(d);
    }

    private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /** A Bitcoin address: legacy/P2SH base58check (version 0x00 or 0x05, double SHA-256 checksum) or bech32/bech32m. */
    public static boolean bitcoin(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith("bc1")) {
            return bech32(value);
        }
        if (value.length() < 26 || value.length() > 35) {
            return false;
        }
        BigInteger n = BigInteger.ZERO;
        BigInteger b58 = BigInteger.valueOf(58);
        for (int i = 0; i < value.length(); i++) {
            int v = BASE58.indexOf(value.charAt(i));
            if (v < 0) {
                return false;
            }
            n = n.multiply(b58).add(BigInteger.valueOf(v));
        }
        byte[] raw = n.toByteArray();
        int leadingOnes = 0;
        while (leadingOnes < value.length() && value.charAt(leadingOnes) == '1') {
            leadingOnes++;
        }
        int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
        int len = raw.length - start;
        byte[] full = new byte[leadingOnes + len];
        System.arraycopy(raw, start, full, leadingOnes, len);
        if (full.length != 25 || (full[0] != 0 && full[0] != 5)) {
            return false;
        }
        byte[] check = sha256(sha256(java.util.Arrays.copyOf(full, 21)));
        for (int i = 0; i < 4; i++) {
            if (check[i] != full[21 + i]) {
                return false;
            }
        }
        return true;
    }

    private static final String BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    private static boolean bech32(String value) {
        if (!value.equals(value.toLowerCase(Locale.ROOT)) && !value.equals(value.toUpperCase(Locale.ROOT))) {
            return false;
        }
        String s = value.toLowerCase(Locale.ROOT);
        int sep = s.lastIndexOf('1');
        if (sep != 2 || s.length() < 14 || s.length() > 74) {
            return false;
        }
        int[] values = new int[s.length() - sep - 1];
        for (int i = 0; i < values.length; i++) {
            int v = BECH32.indexOf(s.charAt(sep + 1 + i));
            if (v < 0) {
                return false;
            }
            values[i] = v;
        }
        int chk = 1;
        String hrp = s.substring(0, sep);
        int[] expanded = new int[hrp.length() * 2 + 1 + values.length];
        int k = 0;
        for (int i = 0; i < hrp.length(); i++) {
            expanded[k++] = hrp.charAt(i) >> 5;
        }
        expanded[k++] = 0;
        for (int i = 0; i < hrp.length(); i++) {
            expanded[k++] = hrp.charAt(i) & 31;
        }
        for (int v : values) {
            expanded[k++] = v;
        }
        int[] gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        for (int v : expanded) {
            int top = chk >>> 25;
            chk = (chk & 0x1ffffff) << 5 ^ v;
            for (int i = 0; i < 5; i++) {
                if (((top >>> i) & 1) != 0) {
                    chk ^= gen[i];
                }
            }
        }
        return chk == 1 || chk == 0x2bc830a3; // bech32 (segwit v0) or bech32m (v1+)
    }

    /** An Ethereum address: 0x and 40 hex digits, not all zeros (the mixed-case EIP-55 checksum is not verified). */
    /**
     * An Ethereum address: 40 hex digits, not all zero; when its letters mix cases they carry the
     * EIP-55 checksum (a letter is upper-case exactly where the Keccak-256 of the lower-case address
     * has a nibble of 8 or more), which must hold. All-lower or all-upper addresses carry none.
     */
    public static boolean ethereum(String value) {
        if (value.length() != 42 || !(value.startsWith("0x") || value.startsWith("0X"))) {
            return false;
        }
        boolean nonZero = false;
        boolean lower = false;
        boolean upper = false;
        for (int i = 2; i < 42; i++) {
            char c = value.charAt(i);
            if (Character.digit(c, 16) < 0) {
                return false;
            }
            nonZero |= c != '0';
            lower |= c >= 'a' && c <= 'f';
            upper |= c >= 'A' && c <= 'F';
        }
        if (!nonZero) {
            return false;
        }
        return !(lower && upper) || eip55(value.substring(2));
    }

    private static boolean eip55(String hex) {
        byte[] address = hex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        org.bouncycastle.crypto.digests.KeccakDigest keccak = new org.bouncycastle.crypto.digests.KeccakDigest(256);
        keccak.update(address, 0, address.length);
        byte[] hash = new byte[32];
        keccak.doFinal(hash, 0);
        for (int i = 0; i < 40; i++) {
            char c = hex.charAt(i);
            if (c < 'A' || (c > 'F' && c < 'a')) {
                continue; // a digit has no case
            }
            int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf;
            if ((nibble >= 8) != (c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An e-mail address whose domain ends in a top-level domain that exists ({@link TopLevelDomains}). */
    public static boolean emailDomain(String value) {
        int at = value.lastIndexOf('@');
        return at > 0 && TopLevelDomains.validHost(value.substring(at + 1));
    }

    /** A URL whose host ends in a real top-level domain, or is an IP address. */
    public static boolean urlHost(String value) {
        String s = value;
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        }
        int end = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '?' || c == '#' || c == ':') {
                end = i;
                break;
            }
        }
        String host = s.substring(0, end);
        int at = host.lastIndexOf('@');
        if (at >= 0) {
            host = host.substring(at + 1);
        }
        return TopLevelDomains.validHost(host) || ipv4(host) || host.equalsIgnoreCase("localhost") && scheme >= 0;
    }

    /** Dotted-quad IPv4 with every part 0..255 and no leading zeros beyond a single 0. */
    public static boolean ipv4(String value) {
        String[] parts = value.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (!Character.isDigit(p.charAt(i))) {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** An IPv6 address in full or compressed form (with an optional trailing dotted IPv4). */
    public static boolean ipv6(String value) {
        if (value.length() < 2 || value.length() > 45 || value.indexOf(':') < 0) {
            return false;
        }
        int dc = value.indexOf("::");
        if (dc >= 0 && value.indexOf("::", dc + 1) >= 0) {
            return false;
        }
        String[] groups = value.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty()) {
                continue;
            }
            if (i == groups.length - 1 && g.indexOf('.') >= 0) {
                if (!ipv4(g)) {
                    return false;
                }
                count += 2;
                continue;
            }
            if (g.length() > 4) {
                return false;
            }
            for (int j = 0; j < g.length(); j++) {
                if (Character.digit(g.charAt(j), 16) < 0) {
                    return false;
                }
            }
            count++;
        }
        return dc >= 0 ? count < 8 : count == 8;
    }

    /** A JWT: three base64url parts whose first decodes to a JSON header naming {@code alg}. */
    public static boolean jwt(String value) {
        int dot = value.indexOf('.');
        if (dot < 0) {
            return false;
        }
        try {
            String header = new String(Base64.getUrlDecoder().decode(value.substring(0, dot)), StandardCharsets.UTF_8);
            return header.startsWith("{") && header.contains("\"alg\"");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A calendar date in the match: any month 1..12 and day 1..31 read from numeric parts is plausible. */
    public static boolean plausibleDate(String value) {
        String[] parts = value.split("[-/. ,T:]+");
        int nums = 0;
        for (String p : parts) {
            if (!p.isEmpty() && Character.isDigit(p.charAt(0))) {
                nums++;
            }
        }
        if (nums < 2) {
            return true;
        }
        // year-first (ISO) or day/month-first: some reading must give month 1..12 and day 1..31
        int[] n = new int[3];
        int k = 0;
        for (String p : parts) {
            if (k < 3 && !p.isEmpty() && p.chars().allMatch(Character::isDigit) && p.length() <= 4) {
                n[k++] = Integer.parseInt(p);
            }
        }
        if (k < 2) {
            return true;
        }
        if (n[0] > 31) { // yyyy-mm-dd
            return n[1] >= 1 && n[1] <= 12 && (k < 3 || (n[2] >= 1 && n[2] <= 31));
        }
        boolean mdy = n[0] >= 1 && n[0] <= 12 && n[1] >= 1 && n[1] <= 31;
        boolean dmy = n[1] >= 1 && n[1] <= 12 && n[0] >= 1 && n[0] <= 31;
        return mdy || dmy;
    }
}
