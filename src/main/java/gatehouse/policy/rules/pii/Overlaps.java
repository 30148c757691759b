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

    /**
     * Higher score first, then the longer span, then the earlier start. Written out rather than chained
     * ({@code comparingDouble(...).reversed().thenComparing(...)}): each link of a chain is a call that the
     * JIT cannot inline (those lambdas are shared by every sort in the process), and sorts run per message.
     */
    private static final Comparator<Finding> STRONGEST = (a, b) -> {
        int c = Double.compare(b.score(), a.score());
        if (c != 0) {
            return c;
        }
        c = Integer.compare(b.length(), a.length());
        return c != 0 ? c : Integer.compare(a.start(), b.start());
    };

    /**
     * Same-entity containment removal; the result is ordered by start. A finding goes when a finding of
     * its entity that comes before it in strength order contains it (whether that one stays or not: what
     * contains it is then contained in a stronger one that stays). Only findings that start at most the
     * entity's longest span before it can contain it, so each is compared with its neighbours only.
     */
    public static List<Finding> removeDuplicates(List<Finding> findings) {
        int n = findings.size();
        if (n < 2) {
            return new ArrayList<>(findings);
        }
        Finding[] byStrength = findings.toArray(Finding[]::new);
        java.util.Arrays.sort(byStrength, STRONGEST);
        Integer[] order = new Integer[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        // positions of the strength order, sorted by start (then end) for the neighbour search
        java.util.Arrays.sort(order, (a, b) -> {
            Finding x = byStrength[a];
            Finding y = byStrength[b];
            return x.start() != y.start() ? Integer.compare(x.start(), y.start()) : Integer.compare(x.end(), y.end());
        });
        int longest = 0;
        for (Finding f : byStrength) {
            longest = Math.max(longest, f.length());
        }
        boolean[] dropped = new boolean[n];
        for (int p = 0; p < n; p++) {
            int rank = order[p];
            Finding f = byStrength[rank];
            // earlier starts within reach, and equal starts after it in start order
            for (int q = p - 1; q >= 0 && byStrength[order[q]].start() >= f.start() - longest && !dropped[rank]; q--) {
                dropped[rank] = contains(byStrength[order[q]], order[q], f, rank);
            }
            for (int q = p + 1; q < n && byStrength[order[q]].start() == f.start() && !dropped[rank]; q++) {
                dropped[rank] = contains(byStrength[order[q]], order[q], f, rank);
            }
        }
        List<Finding> kept = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            if (!dropped[k]) {
                kept.add(byStrength[k]);
            }
        }
        kept.sort(PiiAnalyzer.BY_START);
        return kept;
    }

    /** Whether {@code k} (at strength rank {@code kRank}) comes before {@code f} in strength order and contains it, same entity. */
    private static boolean contains(Finding k, int kRank, Finding f, int fRank) {
        return kRank < fRank && f.entity().equals(k.entity()) && f.containedIn(k);
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
