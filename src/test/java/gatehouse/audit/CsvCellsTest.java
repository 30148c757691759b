package gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Cells a spreadsheet would run as formulas are neutralized; CSV quoting follows RFC 4180. */
class CsvCellsTest {

    @Test
    void formulaStartsAreNeutralized() {
        assertThat(CsvCells.cell("=HYPERLINK(\"http://evil\")")).isEqualTo("\"'=HYPERLINK(\"\"http://evil\"\")\"");
        assertThat(CsvCells.cell("+1+2")).isEqualTo("'+1+2");
        assertThat(CsvCells.cell("-2+3")).isEqualTo("'-2+3");
        assertThat(CsvCells.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(CsvCells.cell("\tcmd")).isEqualTo("'\tcmd");
        assertThat(CsvCells.cell("\r=1")).isEqualTo("\"'\r=1\"");
    }

    @Test
    void bareCarriageReturnsCommasAndQuotesAreQuoted() {
        assertThat(CsvCells.cell("a\rb")).isEqualTo("\"a\rb\"");
        assertThat(CsvCells.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(CsvCells.cell("line\nbreak")).isEqualTo("\"line\nbreak\"");
        assertThat(CsvCells.cell("plain_tool")).isEqualTo("plain_tool");
        assertThat(CsvCells.cell(null)).isEmpty();
    }

    @Test
    void numbersStayNumbers() {
        assertThat(CsvCells.cell(-32601)).isEqualTo("-32601");
        assertThat(CsvCells.cell(3.25)).isEqualTo("3.25");
    }
}
