package gatehouse.policy.rules.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import gatehouse.policy.rules.Finding;
import gatehouse.policy.rules.RuleException;

/** The built-in analyzer finds each default entity in context, and leaves the look-alikes alone. */
class PiiAnalyzerTest {
    private static final PiiAnalyzer ALL = new PiiAnalyzer(List.of(), null, List.of());

    private static List<String> found(String text) {
        return ALL.analyze(text).stream().map(f -> f.entity() + "=" + text.substring(f.start(), f.end())).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Charge card 4111 1111 1111 1111 today|CREDIT_CARD=4111 1111 1111 1111",
            "Write to jane.doe@example.com please|EMAIL_ADDRESS=jane.doe@example.com",
            "Call me at (415) 555-2671 tomorrow|PHONE_NUMBER=(415) 555-2671",
            "Phone: +44 20 7946 0958|PHONE_NUMBER=+44 20 7946 0958",
            "Pay to GB82 WEST 1234 5698 7654 32 now|IBAN_CODE=GB82 WEST 1234 5698 7654 32",
            "wallet 1BoatSLRHtKNngkdXEeobR76b53LETtpyT ok|CRYPTO=1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
            "server at 192.168.10.1 answered|IP_ADDRESS=192.168.10.1",
            "host 2001:db8:85a3::8a2e:370:7334 up|IP_ADDRESS=2001:db8:85a3::8a2e:370:7334",
            "nic 00:1A:2B:3C:4D:5E seen|MAC_ADDRESS=00:1A:2B:3C:4D:5E",
            "see https://example.com/a?b=c.|URL=https://example.com/a?b=c",
            "my ssn is 536-22-8726|US_SSN=536-22-8726",
            "taxpayer itin 912-70-1234 filed|US_ITIN=912-70-1234",
            "NHS number 943 476 5919|UK_NHS=943 476 5919",
            "DEA certificate AB1234563 on file|MEDICAL_LICENSE=AB1234563",
            "key AKIAIOSFODNN7EXAMPLE leaked|AWS_ACCESS_KEY=AKIAIOSFODNN7EXAMPLE",
            "Authorization: Bearer abcdefghijklmnop1234567890|BEARER_TOKEN=abcdefghijklmnop1234567890",
            "routing number 021000021 for the bank|ABA_ROUTING_NUMBER=021000021",
            "passport number 912345678 expired|US_PASSPORT=912345678",
            "Born on 2024-03-15 in a hospital|DATE_TIME=2024-03-15",
            "The patient Mary Johnson was seen|PERSON=Mary Johnson",
            "Ask Dr. Okonkwo about it|PERSON=Okonkwo",
            "She moved to San Francisco last year|LOCATION=San Francisco",
            // the scanner's plain-word path: a month before a year, a lower-case bearer, a name before a full stop
            "Issued March 2021 to her|DATE_TIME=March 2021",
            "Signed on 12 January 2020, twice|DATE_TIME=January 2020",
            "header bearer abcdefghijklmnop1234567890|BEARER_TOKEN=abcdefghijklmnop1234567890",
            "Please write to Mary Johnson.|PERSON=Mary Johnson",
            "call 415 555 2671 now|PHONE_NUMBER=415 555 2671",
            "wallet 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed here|CRYPTO=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "wallet 0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359 here|CRYPTO=0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359",
    })
    void findsEntity(String text, String expected) {
        assertThat(found(text)).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // names no word list knows, found by their cues: a cue word before, a verb after, mid-sentence capitals
            "Call Jena Funk at noon.|PERSON=Jena Funk",
            "Bart Rath moved to Sadestad last year.|PERSON=Bart Rath",
            "Bart Rath moved to Sadestad last year.|LOCATION=Sadestad",
            "I spoke with Reiko Quigley about the budget.|PERSON=Reiko Quigley",
            "She lives in North Jaimie now.|LOCATION=North Jaimie",
            "The conference is in Cayman Islands this year.|LOCATION=Cayman Islands",
    })
    void findsNamesByTheirCues(String text, String expected) {
        assertThat(found(text)).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Google Cloud and Amazon Web Services were compared.",
            "Version Control Systems matter.",
            "Many Waters was published in 1952.",
            "Yesterday the team met.",
    })
    void organisationsAndTitlesAreNotPeople(String text) {
        assertThat(found(text)).noneMatch(f -> f.startsWith("PERSON"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Order 4111 1111 1111 1112 shipped",     // Luhn-invalid card-like number
            "Upgrade to version 2.14.1 now",          // version string
            "Example SSN 078-05-1120 from the ad",    // published example SSN
            "Example SSN 123-45-6789",
            "Order number 483920175 confirmed",       // 9-digit number without context
            "IBAN GB82 WEST 1234 5698 7654 33 typo",  // IBAN with a bad checksum
            "reach me at me@host.invalidtld",         // unknown top-level domain
            "the meeting is at noon",
    })
    void ignoresDecoys(String text) {
        assertThat(found(text)).noneMatch(s -> s.startsWith("CREDIT_CARD") || s.startsWith("US_SSN") || s.startsWith("IBAN_CODE")
                || s.startsWith("US_BANK_NUMBER") || s.startsWith("US_PASSPORT") || s.startsWith("EMAIL_ADDRESS") || s.startsWith("IP_ADDRESS")
                || s.startsWith("ABA_ROUTING_NUMBER"));
    }

    @Test
    void ethereumAddressesWithMixedCaseMustCarryTheirEip55Checksum() {
        // the test vectors of EIP-55
        for (String valid : List.of("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")) {
            assertThat(Validators.ethereum(valid)).as(valid).isTrue();
            assertThat(Validators.ethereum(valid.toLowerCase(java.util.Locale.ROOT).replace("0x", "0x"))).isTrue();
        }
        // one letter's case changed: a typo the checksum exists to catch
        assertThat(Validators.ethereum("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).isFalse();
        assertThat(Validators.ethereum("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5D359")).isFalse();
        assertThat(found("wallet 0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed here")).noneMatch(s -> s.startsWith("CRYPTO"));
    }

    @Test
    void plainWordsAndShortNumbersFindNothing() {
        assertThat(found("the service was published in 1923 and sold 34 copies, then 12 more; nothing else.")).isEmpty();
    }

    @Test
    void charactersOutsideLatin1KeepPositionsAndWordBoundaries() {
        // the scan reads Latin-1 bytes, where such a character (and a surrogate pair) is one '?'
        assertThat(found("\uD83D\uDE00 \u0142 write to jane.doe@example.com")).containsExactly("EMAIL_ADDRESS=jane.doe@example.com");
        assertThat(found("\uD835\uDC00 card 4111 1111 1111 1111.")).containsExactly("CREDIT_CARD=4111 1111 1111 1111");
        // a letter right before the digits makes them part of a word, a real question mark does not
        assertThat(found("\u04164111 1111 1111 1111 paid")).isEmpty();
        assertThat(found("\u00e94111 1111 1111 1111 paid")).isEmpty();
        assertThat(found("?4111 1111 1111 1111 paid")).containsExactly("CREDIT_CARD=4111 1111 1111 1111");
    }

    @Test
    void contextRaisesAWeakMatch() {
        String without = "reference 12345678901 attached";
        String with = "bank account 12345678901 attached";
        assertThat(found(without)).noneMatch(s -> s.startsWith("US_BANK_NUMBER"));
        assertThat(found(with)).contains("US_BANK_NUMBER=12345678901");
    }

    @Test
    void allowListExactAndRegex() {
        PiiAnalyzer a = new PiiAnalyzer(List.of("EMAIL_ADDRESS"), null, List.of("ops@example.com", "/.*@corp\\.example\\.org/"));
        String text = "ops@example.com, x@corp.example.org and eve@example.net";
        assertThat(a.analyze(text)).extracting(f -> text.substring(f.start(), f.end())).containsExactly("eve@example.net");
    }

    @Test
    void minScoreOverridesTheDefaults() {
        PiiAnalyzer strict = new PiiAnalyzer(List.of("PHONE_NUMBER"), 0.9, List.of());
        assertThat(strict.analyze("call (415) 555-2671")).isEmpty();
    }

    @Test
    void unknownEntityIsRefusedByName() {
        assertThatThrownBy(() -> new PiiAnalyzer(List.of("EMAIL_ADDRESS", "SHOE_SIZE"), null, List.of()))
                .isInstanceOf(RuleException.class).hasMessageContaining("SHOE_SIZE").extracting(e -> ((RuleException) e).field())
                .isEqualTo("entities[1]");
    }

    @Test
    void privateKeysAndJwts() {
        String pem = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\nend";
        assertThat(found(pem)).anyMatch(s -> s.startsWith("PRIVATE_KEY=-----BEGIN RSA PRIVATE KEY-----"));
        String jwt = "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U x";
        assertThat(found(jwt)).anyMatch(s -> s.startsWith("JWT=eyJhbGci"));
    }

    @Test
    void overlapsKeepTheStrongest() {
        List<Finding> r = Overlaps.resolve(List.of(new Finding("A", 0, 10, 0.5), new Finding("B", 5, 12, 0.9), new Finding("C", 12, 14, 0.1)));
        assertThat(r).extracting(Finding::entity).containsExactly("B", "C");
    }

    @Test
    void aCapitalisedWordRememberedAsQuietStillStartsANameBeforeAFamilyName() {
        PiiAnalyzer fresh = new PiiAnalyzer(List.of(), null, List.of());
        PiiAnalyzer warmed = new PiiAnalyzer(List.of(), null, List.of());
        // "Officia" alone can begin nothing: the analyzer remembers it; before a family name it is a person's first word
        warmed.analyze("Text one. Officia sequi nulla. Officia est, Officia quod. Done.");
        String later = "Text two. Officia Kessler moved to Berlin in May 2021. Officia sequi.";
        List<Finding> expected = fresh.analyze(later);
        assertThat(expected).extracting(Finding::entity).contains("PERSON");
        assertThat(warmed.analyze(later)).isEqualTo(expected);
    }

    @Test
    void aLowerCaseBearerTokenInPlainProseIsFoundWhereverItFallsInTheEightByteWindows() {
        // the prose skip reads small letters and spaces eight at a time: a token after "bearer" must stop it whether the
        // token is all small letters (it fills a whole window), carries capitals or digits (the window stops inside it),
        // or ends the text (the last bytes are not read eight at a time)
        List<String> tokens = List.of("abcdefghijklmnopqrstuvwx", "abcdefghijklmnopQRSTUV1234", "abcdefghijklmnop");
        for (int pad = 0; pad < 16; pad++) {
            String before = "plain words come first" + " ".repeat(1 + pad % 3) + "x".repeat(pad) + " then ";
            for (String token : tokens) {
                for (String after : List.of(" and plain words come after it too", "")) {
                    for (String gap : List.of(" ", "   ")) {
                        String text = before + "bearer" + gap + token + after;
                        assertThat(found(text)).as(text).contains("BEARER_TOKEN=" + token);
                    }
                }
            }
        }
    }

    @Test
    void bearerInsideAWordOrAWordAwayFromTheTokenFindsNoToken() {
        for (int pad = 0; pad < 8; pad++) {
            String before = "plain words " + "y".repeat(pad) + " then ";
            assertThat(found(before + "the subearer abcdefghijklmnopqrstuvwx and more words after it")).isEmpty();
            assertThat(found(before + "a bearer of abcdefghijklmnopqrstuvwx and more words after it")).isEmpty();
        }
    }

    @Test
    void aNameThatBeginsASentenceInPlainProseIsFoundAfterEitherBlank() {
        // the prose skip looks at the capital after ". " at once: when it can begin a name, the scan must resume there
        for (int pad = 0; pad < 16; pad++) {
            for (String blank : List.of(" ", "\n")) {
                String text = "plain words come first " + "x".repeat(pad) + " and end." + blank + "Mary Johnson moved to Berlin. Quia dolor est.";
                assertThat(found(text)).as(text).contains("PERSON=Mary Johnson", "LOCATION=Berlin");
            }
        }
    }
}
