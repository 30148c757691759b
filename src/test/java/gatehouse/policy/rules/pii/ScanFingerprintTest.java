package gatehouse.policy.rules.pii;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The scanner finds exactly what the golden file recorded (entity, start, end and score of every
 * finding under four analyzers) on a seeded corpus: labelled sentences, prose, secrets, phones,
 * dates, URLs, and copies with characters outside Latin-1, surrogate pairs and stray punctuation.
 */
class ScanFingerprintTest {

    @Test
    void findingsMatchTheGoldenFile() throws IOException {
        List<String> golden = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream(ScanFingerprint.GOLDEN)) {
            assertThat(in).as("golden file " + ScanFingerprint.GOLDEN).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    golden.add(line.strip());
                }
            }
        }
        List<String> texts = ScanFingerprint.texts();
        List<PiiAnalyzer> analyzers = ScanFingerprint.analyzers();
        List<String> actual = ScanFingerprint.fingerprint(texts, analyzers);
        assertThat(golden).as("texts in the golden file").hasSize(texts.size());
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < texts.size() && diffs.size() < 5; i++) {
            if (!actual.get(i).equals(golden.get(i))) {
                String t = texts.get(i);
                diffs.add("text " + i + " (" + t.length() + " chars): " + Arrays.toString(new String[] {t.length() > 300 ? t.substring(0, 300) + "..." : t})
                        + "\n expected " + golden.get(i) + ", now " + actual.get(i) + ":\n" + ScanFingerprint.findings(t, analyzers));
            }
        }
        assertThat(diffs).as("texts whose findings changed").isEmpty();
        // the corpus does exercise the analyzers: most texts have findings
        assertThat(golden.stream().filter(l -> !l.split(" ")[1].equals("0")).count()).isGreaterThan(texts.size() / 2);
    }
}
