package gatehouse.catalog.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an administrator is told about a tool budget. */
class ToolBudgetsTest {

    @Test
    void onlyABudgetExceededWarnsAndTheWarningSaysByHowMuchAndWhatItCosts() {
        assertThat(new ToolBudgets.ToolBudget(40, 12, 900, false).warning()).isNull();
        assertThat(new ToolBudgets.ToolBudget(10, 12, 3456, true).warning())
                .contains("12 tools are enabled, more than the budget of 10")
                .contains("~3456 tokens of tool definitions");
    }
}
