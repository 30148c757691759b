package gatehouse.policy.rules;

/**
 * Something an engine found in one string: the entity type, the span in Java {@code char} offsets
 * ({@code [start, end)}) and a score in [0, 1]. Carries no copy of the matched text, so a finding
 * can be logged as it is.
 */
public record Finding(String entity, int start, int end, double score) {
    public Finding {
        if (entity == null || start < 0 || end < start) {
            throw new IllegalArgumentException("a finding needs an entity and a span with 0 <= start <= end");
        }
    }

    public int length() {
        return end - start;
    }

    public boolean overlaps(Finding o) {
        return start < o.end && o.start < end;
    }

    public boolean containedIn(Finding o) {
        return o.start <= start && end <= o.end;
    }
}
