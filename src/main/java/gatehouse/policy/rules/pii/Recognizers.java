package gatehouse.policy.rules.pii;

import static gatehouse.policy.rules.pii.Recognizer.PatternDef.of;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import gatehouse.policy.rules.pii.Recognizer.PatternDef;
import gatehouse.policy.rules.pii.Recognizer.Precheck;

/**
 * The built-in recognizers, as data. Entity names are Presidio's where Presidio has the entity,
 * so a rule can move between the built-in engine and a Presidio service unchanged. Base scores
 * follow Presidio's logic: a bare format is weak evidence, a checksum is strong, and context words
 * near a weak match raise it (see {@link PiiAnalyzer}).
 */
public final class Recognizers {
    private Recognizers() {
    }

    private static final String DIGITS = "0123456789";
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String HEX = "0123456789abcdefABCDEF";

    /** Entities found by libphonenumber and the name gazetteers rather than by patterns. */
    public static final String PHONE = "PHONE_NUMBER";
    public static final String PERSON = "PERSON";
    public static final String LOCATION = "LOCATION";

    /** Presidio's default English entities plus common secrets: what a {@code pii} rule without entities looks for. */
    public static final Set<String> DEFAULT_ENTITIES = Set.of("CREDIT_CARD", "EMAIL_ADDRESS", PHONE, "IBAN_CODE", "CRYPTO",
            "IP_ADDRESS", "MAC_ADDRESS", "URL", "US_SSN", "US_ITIN", "US_PASSPORT", "US_DRIVER_LICENSE", "US_BANK_NUMBER",
            "ABA_ROUTING_NUMBER", "MEDICAL_LICENSE", "UK_NHS", "DATE_TIME", PERSON, LOCATION, "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
            "GCP_API_KEY", "AZURE_STORAGE_KEY", "PRIVATE_KEY", "JWT", "BEARER_TOKEN", "GITHUB_TOKEN", "SLACK_TOKEN");

    /** Every entity the built-in engine knows, defaults and opt-in ones. */
    public static Set<String> known() {
        Set<String> all = new LinkedHashSet<>(DEFAULT_ENTITIES);
        all.add("IN_AADHAAR");
        return all;
    }

    /** The secrets among the entities (a rule may name the group {@code SECRETS}). */
    public static final Set<String> SECRETS = Set.of("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "GCP_API_KEY", "AZURE_STORAGE_KEY",
            "PRIVATE_KEY", "JWT", "BEARER_TOKEN", "GITHUB_TOKEN", "SLACK_TOKEN");

    private static Recognizer r(String entity, String starts, List<PatternDef> patterns, Set<String> context,
                                Function<String, Boolean> validator, double validScore) {
        return new Recognizer(entity, patterns, context, validator, validScore, starts, null, null);
    }

    /** All pattern recognizers (phone numbers and names are not patterns). */
    public static List<Recognizer> all() {
        List<Recognizer> list = new ArrayList<>();
        list.add(r("CREDIT_CARD", DIGITS, List.of(
                of("card-grouped", "\\d{4}([ -]?)\\d{4}\\1\\d{4}\\1\\d{1,7}(?![\\d])", 0.3),
                of("card-amex", "3[47]\\d{2}([ -]?)\\d{6}\\1\\d{5}(?!\\d)", 0.3),
                of("card-plain", "\\d{13,19}(?!\\d)", 0.3)),
                Set.of("credit", "card", "visa", "mastercard", "amex", "discover", "jcb", "diners", "maestro", "instapayment", "cc"),
                Validators::creditCard, 1.0));
        list.add(new Recognizer("EMAIL_ADDRESS", List.of(
                of("email", "[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+", 0.5)),
                Set.of("email", "mail", "e-mail", "address"), Validators::emailDomain, 1.0, "@", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-", null));
        list.add(r("IBAN_CODE", UPPER, List.of(
                of("iban-grouped", "[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])", 0.5),
                of("iban-compact", "[A-Z]{2}\\d{2}[A-Z0-9]{11,30}(?![A-Za-z0-9])", 0.5)),
                Set.of("iban", "bank", "transaction", "account", "transfer"), Validators::iban, 1.0)
                .with(Precheck.anyAt(1, UPPER).and(Precheck.digitAt(2)).and(Precheck.digitAt(3))));
        list.add(r("CRYPTO", "13", List.of(
                of("btc-base58", "[13][a-km-zA-HJ-NP-Z1-9]{25,34}(?![A-Za-z0-9])", 0.5)),
                Set.of("wallet", "btc", "bitcoin", "crypto", "address"), Validators::bitcoin, 1.0)
                .with(Precheck.within(4, "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")));
        list.add(r("CRYPTO", "bB", List.of(
                of("btc-bech32", "(?:bc1|BC1)[a-zA-Z0-9]{25,87}(?![A-Za-z0-9])", 0.5).prefixed("bc1", true)),
                Set.of("wallet", "btc", "bitcoin", "crypto", "address"), Validators::bitcoin, 1.0));
        list.add(r("CRYPTO", "0", List.of(
                of("eth", "0[xX][0-9a-fA-F]{40}(?![0-9a-fA-F])", 0.5)),
                Set.of("wallet", "eth", "ethereum", "crypto", "address"), Validators::ethereum, 0.9)
                .with(Precheck.anyAt(1, "xX")));
        list.add(r("IP_ADDRESS", DIGITS, List.of(
                of("ipv4", "\\d{1,3}(?:\\.\\d{1,3}){3}(?![\\d])(?!\\.\\d)", 0.6)),
                Set.of("ip", "ipv4", "address", "host", "server", "client"), Validators::ipv4, 0.6)
                .with(Precheck.within(4, ".")));
        list.add(r("IP_ADDRESS", HEX + ":", List.of(
                of("ipv6", "[0-9A-Fa-f:]{2,39}(?:\\d{1,3}(?:\\.\\d{1,3}){3})?(?![0-9A-Fa-f:])", 0.6)),
                Set.of("ip", "ipv6", "address", "host"), v -> v.length() >= 3 && v.chars().filter(c -> c == ':').count() >= 2
                        && Validators.ipv6(v), 0.6)
                .with(Precheck.within(6, ":")));
        list.add(r("MAC_ADDRESS", HEX, List.of(
                of("mac", "[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\\1){4}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])", 0.6),
                of("mac-dotted", "[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}(?![0-9A-Fa-f.])", 0.3)),
                Set.of("mac", "ethernet", "hardware", "address", "nic"), null, 0.6)
                .with(Precheck.anyAt(2, ":-").or(Precheck.anyAt(4, "."))));
        list.add(r("URL", "hHfFwW", List.of(
                of("url-http", "[Hh][Tt][Tt][Pp][Ss]?://[^\\s<>\"'`{}|\\\\^\\[\\]]+", 0.6).prefixed("http", true),
                of("url-ftp", "[Ff][Tt][Pp]://[^\\s<>\"'`{}|\\\\^\\[\\]]+", 0.6).prefixed("ftp://", true),
                of("url-www", "[Ww][Ww][Ww]\\.[^\\s<>\"'`{}|\\\\^\\[\\]]+", 0.5).prefixed("www.", true)),
                Set.of("url", "website", "link", "site", "web"), Validators::urlHost, 0.6));
        list.add(r("US_SSN", DIGITS, List.of(
                of("ssn-separated", "\\d{3}([- .])\\d{2}\\1\\d{4}(?![\\d])", 0.5),
                of("ssn-plain", "\\d{9}(?!\\d)", 0.05)),
                Set.of("social", "security", "ssn", "ssns", "ssn#", "ss#", "ssid"), v -> Validators.usSsn(v) ? null : Boolean.FALSE, 0));
        list.add(r("US_ITIN", "9", List.of(
                of("itin-separated", "9\\d{2}([- ])(?:5\\d|6[0-5]|7\\d|8[0-8]|9[0-24-9])\\1\\d{4}(?!\\d)", 0.5),
                of("itin-plain", "9\\d{2}(?:5\\d|6[0-5]|7\\d|8[0-8]|9[0-24-9])\\d{4}(?!\\d)", 0.05)),
                Set.of("individual", "taxpayer", "itin", "tax", "payer", "taxid", "tin"), Validators::usItin, 0));
        list.add(r("US_PASSPORT", DIGITS + UPPER, List.of(
                of("passport-digits", "\\d{9}(?!\\d)", 0.05),
                of("passport-next-gen", "[A-Z]\\d{8}(?![\\dA-Za-z])", 0.1)),
                Set.of("passport", "passport#", "travel", "document"), null, 0)
                .with(Precheck.digitAt(1)));
        list.add(r("US_DRIVER_LICENSE", UPPER + DIGITS, List.of(
                of("dl-letter-digits", "[A-Z]\\d{7,12}(?![\\dA-Za-z])", 0.3),
                of("dl-letters-digits", "[A-Z]{2}\\d{6}(?![\\dA-Za-z])", 0.3),
                of("dl-digits", "\\d{7,9}(?!\\d)", 0.01)),
                Set.of("driver", "driver's", "license", "licence", "permit", "lic", "dl", "dls", "cdls", "lic#", "driving"), null, 0)
                .with(Precheck.digitAt(1).or(Precheck.digitAt(2))));
        list.add(r("US_BANK_NUMBER", DIGITS, List.of(
                of("bank-account", "\\d{8,17}(?!\\d)", 0.05)),
                Set.of("bank", "check", "checking", "account", "account#", "acct", "savings", "debit"), null, 0));
        list.add(r("ABA_ROUTING_NUMBER", "0123678", List.of(
                of("aba-plain", "[0-3678]\\d{8}(?!\\d)", 0.05),
                of("aba-dashed", "[0-3678]\\d{3}-\\d{4}-\\d(?!\\d)", 0.3)),
                Set.of("aba", "routing", "abarouting", "association", "bankrouting", "routing#", "rtn"),
                v -> Validators.abaRouting(v) ? Boolean.TRUE : Boolean.FALSE, 0.3));
        list.add(r("MEDICAL_LICENSE", UPPER, List.of(
                of("dea", "[A-Z][A-Z9]\\d{7}(?![\\dA-Za-z])", 0.4)),
                Set.of("medical", "certificate", "dea", "license", "licence", "prescriber", "physician"), Validators::deaNumber, 1.0)
                .with(Precheck.digitAt(2)));
        list.add(r("UK_NHS", DIGITS, List.of(
                of("nhs", "\\d{3}([- ]?)\\d{3}\\1\\d{4}(?!\\d)", 0.5)),
                Set.of("nhs", "national", "health", "service", "authority"), Validators::ukNhs, 1.0));
        list.add(r("IN_AADHAAR", "23456789", List.of(
                of("aadhaar", "[2-9]\\d{3}([ -]?)\\d{4}\\1\\d{4}(?!\\d)", 0.01)),
                Set.of("aadhaar", "aadhar", "uidai", "uid"), Validators::aadhaar, 0.5));
        String month = "(?:January|February|March|April|May|June|July|August|September|October|November|December"
                + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)";
        list.add(r("DATE_TIME", DIGITS, List.of(
                of("iso", "\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?(?![\\d-])", 0.6),
                of("numeric", "\\d{1,2}([/-])\\d{1,2}\\1(?:\\d{4}|\\d{2})(?![\\d/-])", 0.6),
                of("dotted", "\\d{1,2}\\.\\d{1,2}\\.\\d{4}(?![\\d.])", 0.6),
                of("day-month", "\\d{1,2}(?:st|nd|rd|th)? " + month + "\\.?,? \\d{4}(?!\\d)", 0.6),
                of("time", "\\d{1,2}:\\d{2}(?::\\d{2})?(?: ?[AaPp]\\.?[Mm]\\.?)?(?![\\d:])", 0.4)),
                Set.of("date", "time", "born", "birth", "dob", "on", "at", "since", "until", "expires", "expiry"), Validators::plausibleDate, 0.6));
        list.add(r("DATE_TIME", "JFMASOND", List.of(
                of("month-day", month + "\\.? \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}(?!\\d)", 0.6),
                of("month-year", month + " \\d{4}(?!\\d)", 0.5)),
                Set.of("date", "born", "birth", "dob", "since", "until"), null, 0)
                .with(Precheck.digitWithin(12)));
        list.add(r("AWS_ACCESS_KEY", "A", List.of(
                of("aws-access-key", "(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Za-z0-9])", 0.9)),
                Set.of("aws", "access", "key"), null, 0)
                .with(Precheck.anyAt(1, "KSBCGIRNP").and(Precheck.anyAt(19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))));
        list.add(r("AWS_SECRET_KEY", "aA", List.of(
                of("aws-secret-assignment", "(?i:aws_secret_access_key|aws_secret_key|secret_access_key)[\"']?\\s*[:=]\\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])", 0.95)
                        .prefixed("aws_secret", true).group(1)),
                Set.of(), null, 0));
        list.add(r("AWS_SECRET_KEY", "sS", List.of(
                of("aws-secret-assignment-short", "(?i:secret_access_key)[\"']?\\s*[:=]\\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])", 0.95)
                        .prefixed("secret_access", true).group(1)),
                Set.of(), null, 0));
        list.add(r("GCP_API_KEY", "A", List.of(
                of("gcp-api-key", "AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", 0.9).prefixed("AIza", false)),
                Set.of(), null, 0));
        list.add(r("AZURE_STORAGE_KEY", "A", List.of(
                of("azure-account-key", "AccountKey=([A-Za-z0-9+/]{86}==)", 0.95).prefixed("AccountKey=", false).group(1)),
                Set.of(), null, 0));
        list.add(r("PRIVATE_KEY", "-", List.of(
                of("pem-private-key", "-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----[\\s\\S]{1,16384}?-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----", 1.0)
                        .prefixed("-----BEGIN ", false)),
                Set.of(), null, 0));
        list.add(r("JWT", "e", List.of(
                of("jwt", "eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{8,}", 0.6).prefixed("eyJ", false)),
                Set.of("token", "jwt", "bearer"), Validators::jwt, 0.95));
        list.add(r("BEARER_TOKEN", "bB", List.of(
                of("bearer", "[Bb]earer[ \\t]+([A-Za-z0-9._~+/-]{16,}=*)(?![A-Za-z0-9._~+/=-])", 0.8).prefixed("bearer", true).group(1)),
                Set.of(), null, 0));
        list.add(r("GITHUB_TOKEN", "g", List.of(
                of("github-token", "gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])", 0.95).prefixed("gh", false),
                of("github-fine-grained", "github_pat_[A-Za-z0-9_]{60,255}(?![A-Za-z0-9_])", 0.95).prefixed("github_pat_", false)),
                Set.of(), null, 0));
        list.add(r("SLACK_TOKEN", "x", List.of(
                of("slack-token", "xox[abposr]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])", 0.9).prefixed("xox", false)),
                Set.of(), null, 0));
        return list;
    }
}
