package gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConformanceSummaryTest {
    private static final String ESC = "\u001B";

    @Test
    void readsScenarioLinesAndTheTotalAfterTheSummaryEvenWhenColoured() {
        String out = """
                ✓ tools-list: 9 passed, 9 failed
                === SUMMARY ===
                %s[32m✓ tools-list%s[0m: 1 passed, 0 failed
                %s[31m✗ dns-rebinding-protection%s[0m: 0 passed, 2 failed, 1 warnings
                ✓ server-initialize: 1 passed, 0 failed

                %s[1mTotal: 2 passed, 2 failed%s[0m
                """.formatted(ESC, ESC, ESC, ESC, ESC, ESC);

        ConformanceSummary s = ConformanceSummary.parse(out, "test");

        assertThat(s.scenarios()).containsOnlyKeys("tools-list", "dns-rebinding-protection", "server-initialize");
        assertThat(s.scenario("tools-list")).isEqualTo(new ConformanceSummary.Counts(1, 0));
        assertThat(s.scenario("dns-rebinding-protection")).isEqualTo(new ConformanceSummary.Counts(0, 2));
        assertThat(s.passed()).isEqualTo(2);
        assertThat(s.failed()).isEqualTo(2);
    }

    @Test
    void outputWithoutATotalIsRefusedNotReadAsNothingFailed() {
        assertThatThrownBy(() -> ConformanceSummary.parse("Error: cannot connect\n", "the run"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no Total line").hasMessageContaining("the run");
    }

    @Test
    void aScenarioThatDidNotRunIsNamed() {
        ConformanceSummary s = ConformanceSummary.parse("SUMMARY\n✓ a: 1 passed, 0 failed\nTotal: 1 passed, 0 failed\n", "x");
        assertThatThrownBy(() -> s.scenario("b")).hasMessageContaining("scenario b did not run");
    }
}
