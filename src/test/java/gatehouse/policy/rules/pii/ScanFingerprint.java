package gatehouse.policy.rules.pii;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import gatehouse.policy.rules.Finding;
import gatehouse.policy.rules.pii.accuracy.Corpus;
import net.datafaker.Faker;

/**
 * A seeded set of texts and a fingerprint of what the built-in analyzer finds in each (entity,
 * start, end, score under several entity sets and thresholds), so a faster scanner can be shown to
 * find exactly what the previous one found. The golden file is written by {@link #main} and read by
 * {@code ScanFingerprintTest}; regenerate it only when findings are meant to change, and say so.
 */
final class ScanFingerprint {
    static final String GOLDEN = "/gatehouse/pii/scan-fingerprint.txt";

    private ScanFingerprint() {
    }

    /** The analyzers each text is fingerprinted with: defaults, every sub-threshold finding, secrets, a mixed set. */
    static List<PiiAnalyzer> analyzers() {
        return List.of(new PiiAnalyzer(List.of(), null, List.of()),
                new PiiAnalyzer(List.of(), 0.0, List.of()),
                new PiiAnalyzer(List.of("SECRETS"), null, List.of()),
                new PiiAnalyzer(List.of("PERSON", "LOCATION", "PHONE_NUMBER", "DATE_TIME", "IN_AADHAAR", "URL"), 0.0, List.of()));
    }

    private static final String[] HAND = {
        "token: Bearer abcdefghijklmnop0123456789.xyz and bearer QWERTYUIOPASDFGH1234 here",
        "aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\" AKIAIOSFODNN7EXAMPLE",
        "AccountKey=" + "a".repeat(86) + "== and AIzaSyA1234567890abcdefghijklmnopqrstuv",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789 xoxb-1234567890-abcdefghij github_pat_" + "A1".repeat(35),
        "Call +1 (415) 555-2671 or 020 7946 0958, fax 0049 30 901820, cell 415.555.2671 tel:+442079460958",
        "Born on 1990-05-17T10:20:30Z, seen 12/05/2021, 3.4.2022, 4th July 2020, March 3rd, 2021, at 10:30 pm, Jan 2020",
        "See https://example.com/a?b=c, www.example.org. and ftp://files.example.net/x) or http://10.0.0.1:8080/path.",
        "ip 192.168.0.1 and 2001:db8::8a2e:370:7334 and ::1 and fe80::1%eth0 mac 00:1A:2B:3C:4D:5E 0a1b.2c3d.4e5f",
        "IBAN DE89 3704 0044 0532 0130 00 and GB82WEST12345698765432, card 4111 1111 1111 1111, amex 3782-822463-10005",
        "SSN 536-90-4399 itin 912-70-1234 passport A12345678 dl D1234567 routing 011000015 acct 12345678901 DEA AB1234563",
        "NHS 943 476 5919 aadhaar 2341 2341 2346 btc 1BoatSLRHtKNngkdXEeobR76b53LETtpyT bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq eth 0x52908400098527886E0F7030069857D2E4169EE7",
        "Dear Mr. John Smith, Dr Jane Q. Doe met Maria Garcia in New York and Los Angeles; mrs smith lives in Paris, France.",
        "mail ann.lee@example.com, bob@sub.example.co.uk; x@y, @home, a@b.c, first.last+tag@example.io.",
        "order 123456 version 1.2.3 ticket JIRA-1234 build 2021.04.05 id 0xDEADBEEF 4111-1111-1111-1112 078-05-1120",
        "bearer bearer, bearerx Bearer: xbearer BEARER\tabcdefghijklmnopqrst é bearer abcdefghijklmnopqrst",
        "plain words, more words,\nnew lines\tand tabs; quotes \"here\" (brackets) and e.g. i.e. etc. done.\n",
    };

    private static final String[] INSERTS = {"\u2003", "\u00A0", "\uD83D\uDE00", "\uD835\uDC00", "\u0142", "\u0416", "\u00E9", "?",
        "\u00FC", "\u20AC", "\uFEFF"};
    private static final String[] PUNCT = {".", ":", "-", "@", "_", "/", "1", "7", "A", "Z", ",", "\n", "+", "(", "'", "#", " "};

    /** The texts, in a fixed order. */
    static List<String> texts() {
        List<String> base = new ArrayList<>();
        for (long seed : new long[] {42, 7, 1234}) {
            for (Corpus.Sample s : new Corpus(seed).generate(400)) {
                base.add(s.text());
            }
        }
        Faker faker = new Faker(Locale.US, new Random(7));
        StringBuilder prose = new StringBuilder();
        while (prose.length() < 200_000) {
            prose.append(faker.lorem().paragraph(8)).append(' ').append(faker.book().title()).append(" was published in ")
                    .append(1900 + faker.number().numberBetween(0, 120)).append(" and sold ").append(faker.number().numberBetween(3, 900))
                    .append(" copies. ").append(faker.company().catchPhrase()).append(".\n");
        }
        for (int k = 0; k + 2000 <= prose.length(); k += 2000) {
            base.add(prose.substring(k, k + 2000));
        }
        base.add(prose.toString());
        for (String h : HAND) {
            base.add(h);
        }
        Random random = new Random(99);
        List<String> out = new ArrayList<>(base);
        for (String t : base) {
            out.add(mutate(t, INSERTS, random));
        }
        for (String t : base) {
            out.add(mutate(t, PUNCT, random));
        }
        return out;
    }

    private static String mutate(String t, String[] inserts, Random random) {
        StringBuilder b = new StringBuilder(t);
        int count = 1 + t.length() / 40;
        for (int k = 0; k < count; k++) {
            int at = random.nextInt(b.length() + 1);
            // never split a surrogate pair: the text would not be well formed
            if (at > 0 && at < b.length() && Character.isHighSurrogate(b.charAt(at - 1))) {
                at++;
            }
            b.insert(at, inserts[random.nextInt(inserts.length)]);
        }
        return b.toString();
    }

    /** One line per text: its index, the number of findings and a digest of them under every analyzer. */
    static List<String> fingerprint(List<String> texts, List<PiiAnalyzer> analyzers) {
        List<String> lines = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            lines.add(i + " " + digest(findings(texts.get(i), analyzers)));
        }
        return lines;
    }

    /** The findings of every analyzer in a text, one per line, readable (for the digest and for a failure message). */
    static String findings(String text, List<PiiAnalyzer> analyzers) {
        StringBuilder b = new StringBuilder();
        for (int a = 0; a < analyzers.size(); a++) {
            for (Finding f : analyzers.get(a).analyze(text)) {
                b.append(a).append(' ').append(f.entity()).append(' ').append(f.start()).append(' ').append(f.end()).append(' ')
                        .append(f.score()).append('\n');
            }
        }
        return b.toString();
    }

    private static String digest(String findings) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(findings.getBytes(StandardCharsets.UTF_8));
            long count = findings.chars().filter(c -> c == '\n').count();
            return count + " " + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the golden file: {@code java ... ScanFingerprint src/test/resources/gatehouse/pii/scan-fingerprint.txt}. */
    public static void main(String[] args) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# findings of the built-in PII analyzer on ScanFingerprint.texts(): index, count, SHA-256 prefix");
        lines.addAll(fingerprint(texts(), analyzers()));
        Files.write(Path.of(args[0]), lines, StandardCharsets.UTF_8);
    }
}
