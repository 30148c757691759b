package gatehouse.audit;

/**
 * CSV cells (RFC 4180) that a spreadsheet opens as text: clients choose tool names and ids, and a
 * cell starting with {@code = + - @}, a tab or a carriage return would be read as a formula, so such
 * text gets a leading apostrophe (OWASP's advice). Numbers are written as they are: a number
 * cannot be a formula. Cells with a comma, quote, CR or LF are quoted.
 */
public final class CsvCells {
    private CsvCells() {
    }

    public static String cell(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        String s = v.toString();
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
        return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
