package gatehouse.policy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Regex rules: compiled once, refused by name when invalid, and bounded on hostile input. */
class RegexDetectorTest {

    @Test
    void findsEveryMatchOfEveryPattern() {
        RegexDetector d = RegexDetector.compile(List.of("proj-[0-9]+", "codename \\w+"), "REGEX");
        assertThat(d.scan("proj-1 and codename falcon and proj-22")).extracting(Finding::start).containsExactly(0, 31, 11);
    }

    @Test
    void anInvalidPatternIsRefusedNamingIt() {
        assertThatThrownBy(() -> RegexDetector.compile(List.of("ok", "a(b"), "REGEX")).isInstanceOf(RuleException.class)
                .hasMessageContaining("pattern 1 'a(b'").extracting(e -> ((RuleException) e).field()).isEqualTo("patterns[1]");
    }

    @Test
    void catastrophicBacktrackingStopsAtTheStepBudget() {
        // polynomial of degree 30 in java.util.regex: without the budget this runs for hours
        RegexDetector d = RegexDetector.compile(List.of("(.*a){30}"), "REGEX");
        String hostile = "a".repeat(29) + "b".repeat(200);
        assertThatThrownBy(() -> d.scan(hostile)).isInstanceOf(DetectorException.class).hasMessageContaining("step budget")
                .hasMessageNotContaining("aaaa");
    }

    @Test
    void hugeTextsAreRefused() {
        RegexDetector d = RegexDetector.compile(List.of("x"), "REGEX");
        assertThatThrownBy(() -> d.scan("y".repeat(RegexDetector.MAX_CHARS + 1))).isInstanceOf(DetectorException.class);
    }
}
