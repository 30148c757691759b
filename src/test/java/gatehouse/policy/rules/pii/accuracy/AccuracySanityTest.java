package gatehouse.policy.rules.pii.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import gatehouse.policy.rules.Finding;
import gatehouse.policy.rules.pii.Overlaps;
import gatehouse.policy.rules.pii.PiiAnalyzer;

/**
 * A small slice of the accuracy harness in the suite: the corpus is reproducible from its seed,
 * its labels point at the values they name, and the built-in analyzer keeps a floor on the pattern
 * entities (the full table comes from {@code bin/pii-accuracy}).
 */
class AccuracySanityTest {

    @Test
    void theCorpusIsReproducibleAndLabelledCorrectly() {
        List<Corpus.Sample> a = new Corpus(7).generate(50);
        assertThat(new Corpus(7).generate(50)).isEqualTo(a);
        assertThat(new Corpus(8).generate(50)).isNotEqualTo(a);
        for (Corpus.Sample s : a) {
            for (Corpus.Label l : s.labels()) {
                assertThat(s.text().substring(l.start(), l.end())).isNotBlank().doesNotStartWith(" ").doesNotEndWith(" ");
            }
        }
    }

    @Test
    void patternEntitiesStayAboveAFloor() {
        Set<String> pattern = Set.of("EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS", "UK_NHS", "CRYPTO", "MAC_ADDRESS");
        PiiAnalyzer analyzer = new PiiAnalyzer(List.copyOf(pattern), 0.4, List.of());
        Scores scores = new Scores(pattern);
        for (Corpus.Sample s : new Corpus(42).generate(300)) {
            List<Finding> found = Overlaps.resolve(analyzer.analyze(s.text()));
            scores.add(s.labels(), found);
        }
        scores.byEntity().forEach((entity, c) -> assertThat(c.f2()).as(entity + " F2").isGreaterThanOrEqualTo(0.9));
    }

    @Test
    void decoysAreNotReported() {
        PiiAnalyzer analyzer = new PiiAnalyzer(List.of(), 0.4, List.of());
        for (String decoy : List.of("Order ORD-483920 shipped.", "Upgrade to version 3.14.2 to fix the bug.",
                "Reference number 4532 0151 1283 0367 was rejected.", "The sample card shows SSN 078-05-1120 as an example.")) {
            assertThat(analyzer.analyze(decoy)).as(decoy).noneMatch(f -> Set.of("CREDIT_CARD", "US_SSN", "IP_ADDRESS").contains(f.entity()));
        }
    }
}
