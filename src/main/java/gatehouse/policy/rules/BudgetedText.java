package gatehouse.policy.rules;

/**
 * A string whose reads are counted, so a regex that backtracks catastrophically stops after a
 * bounded number of steps instead of pinning a core: {@link java.util.regex.Matcher} reads the
 * input only through {@link #charAt}, so counting reads bounds its work whatever the pattern.
 * Sub-sequences share the budget.
 */
final class BudgetedText implements CharSequence {
    private final String text;
    private final int offset;
    private final int length;
    private final long[] left;

    BudgetedText(String text, long budget) {
        this(text, 0, text.length(), new long[] {budget});
    }

    private BudgetedText(String text, int offset, int length, long[] left) {
        this.text = text;
        this.offset = offset;
        this.length = length;
        this.left = left;
    }

    @Override
    public char charAt(int index) {
        if (--left[0] < 0) {
            throw new BudgetExceeded();
        }
        return text.charAt(offset + index);
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BudgetedText(text, offset + start, end - start, left);
    }

    @Override
    public String toString() {
        return text.substring(offset, offset + length);
    }

    /** Thrown when the scan used up its budget; carries no text. */
    static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super("scan step budget exceeded", null, false, false);
        }
    }
}
