package gatehouse.policy.rules.pii.accuracy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import gatehouse.policy.rules.Finding;

/**
 * Precision, recall and F2 per entity, matching a predicted span to a labelled one of the same
 * entity when their intersection over union is at least {@link #MIN_IOU}. Each label matches at
 * most one prediction. Predictions of entities outside {@code entities} are ignored.
 */
public final class Scores {
    public static final double MIN_IOU = 0.5;

    /** Counts for one entity. */
    public static final class Counts {
        public int tp;
        public int fp;
        public int fn;

        public double precision() {
            return tp + fp == 0 ? 1.0 : (double) tp / (tp + fp);
        }

        public double recall() {
            return tp + fn == 0 ? 1.0 : (double) tp / (tp + fn);
        }

        /** F-beta with beta 2: recall weighs four times precision. */
        public double f2() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 5 * p * r / (4 * p + r);
        }
    }

    private final Set<String> entities;
    private final Map<String, Counts> counts = new TreeMap<>();

    public Scores(Set<String> entities) {
        this.entities = entities;
        for (String e : entities) {
            counts.put(e, new Counts());
        }
    }

    static double iou(int s1, int e1, int s2, int e2) {
        int inter = Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
        int union = Math.max(e1, e2) - Math.min(s1, s2);
        return union == 0 ? 0 : (double) inter / union;
    }

    public void add(List<Corpus.Label> labels, List<Finding> predicted) {
        List<Corpus.Label> open = new ArrayList<>(labels);
        for (Finding f : predicted) {
            if (!entities.contains(f.entity())) {
                continue;
            }
            Corpus.Label match = null;
            for (Corpus.Label l : open) {
                if (l.entity().equals(f.entity()) && iou(l.start(), l.end(), f.start(), f.end()) >= MIN_IOU) {
                    match = l;
                    break;
                }
            }
            if (match != null) {
                open.remove(match);
                counts.get(f.entity()).tp++;
            } else {
                counts.get(f.entity()).fp++;
            }
        }
        for (Corpus.Label l : open) {
            if (entities.contains(l.entity())) {
                counts.get(l.entity()).fn++;
            }
        }
    }

    public Map<String, Counts> byEntity() {
        return counts;
    }
}
