package gatehouse.policy.rules.pii;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import gatehouse.policy.rules.Finding;

/**
 * Presidio's two overlap rules. The analyzer's: of findings of the same entity, one contained in
 * a stronger (or equal, longer) one is dropped. The anonymizer's, applied before text is changed:
 * of overlapping findings of any entities, the higher score wins, then the longer span, then the
 * earlier one, so every changed character belongs to exactly one finding.
 */
public final class Overlaps {
    private Overlaps() {
    }

    private static final Comparator<Finding> STRONGEST = Comparator.comparingDouble(Finding::score).reversed()
            .thenComparing(Comparator.comparingInt(Finding::length).reversed())
            .thenComparingInt(Finding::start);

    /** Same-entity containment removal; the result is ordered by start. */
    public static List<Finding> removeDuplicates(List<Finding> findings) {
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(STRONGEST);
        List<Finding> kept = new ArrayList<>();
        for (Finding f : sorted) {
            boolean keep = true;
            for (Finding k : kept) {
                if (f.entity().equals(k.entity()) && f.containedIn(k)) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                kept.add(f);
            }
        }
        kept.sort(PiiAnalyzer.BY_START);
        return kept;
    }

    /** Non-overlapping findings of any entities, strongest first chosen; ordered by start. */
    public static List<Finding> resolve(List<Finding> findings) {
        if (findings.size() < 2) {
            return findings;
        }
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(STRONGEST);
        List<Finding> kept = new ArrayList<>();
        for (Finding f : sorted) {
            boolean free = true;
            for (Finding k : kept) {
                if (f.overlaps(k)) {
                    free = false;
                    break;
                }
            }
            if (free) {
                kept.add(f);
            }
        }
        kept.sort(PiiAnalyzer.BY_START);
        return kept;
    }
}
