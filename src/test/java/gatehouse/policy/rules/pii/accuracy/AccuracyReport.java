package gatehouse.policy.rules.pii.accuracy;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import gatehouse.policy.rules.Finding;
import gatehouse.policy.rules.PresidioDetector;
import gatehouse.policy.rules.PresidioService;
import gatehouse.policy.rules.RuleSpec;
import gatehouse.policy.rules.pii.Overlaps;
import gatehouse.policy.rules.pii.PiiAnalyzer;

/**
 * Compares the built-in analyzer with a real Presidio Analyzer on the same seeded corpus and
 * prints a Markdown table: per entity P, R and F2 for both, and each engine's speed. Both engines
 * get the same entities and the same threshold (0.4), and both have overlapping findings resolved
 * the same way before scoring. Run with {@code bin/pii-accuracy [samples] [seed]}.
 */
public final class AccuracyReport {
    static final double THRESHOLD = 0.4;

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
        List<Corpus.Sample> corpus = new Corpus(seed).generate(n);
        Set<String> entities = new TreeSet<>();
        corpus.forEach(s -> s.labels().forEach(l -> entities.add(l.entity())));
        long bytes = corpus.stream().mapToLong(s -> s.text().getBytes(StandardCharsets.UTF_8).length).sum();

        PiiAnalyzer builtIn = new PiiAnalyzer(List.copyOf(entities), THRESHOLD, List.of());
        Scores ours = new Scores(entities);
        for (Corpus.Sample s : corpus) {
            ours.add(s.labels(), Overlaps.resolve(builtIn.analyze(s.text())));
        }
        for (int w = 0; w < 20; w++) {
            corpus.forEach(s -> builtIn.analyze(s.text()));
        }
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = cpu.getCurrentThreadCpuTime();
        int rounds = 20;
        for (int r = 0; r < rounds; r++) {
            corpus.forEach(s -> builtIn.analyze(s.text()));
        }
        long spent = cpu.getCurrentThreadCpuTime() - t0;
        double oursUsPerSample = spent / 1e3 / rounds / n;
        double oursMbPerS = bytes * rounds / (spent / 1e9) / 1e6;

        Scores presidio = null;
        double presidioMsPerSample = Double.NaN;
        String presidioNote = "";
        try {
            PresidioDetector p = new PresidioDetector(PresidioService.url(), List.copyOf(entities), THRESHOLD,
                    List.of(), Duration.ofSeconds(60));
            presidio = new Scores(entities);
            long p0 = System.nanoTime();
            for (Corpus.Sample s : corpus) {
                List<Finding> f = p.detect(List.of(s.text()), RuleSpec.Flow.REQUEST).findings().getFirst();
                presidio.add(s.labels(), Overlaps.resolve(f));
            }
            presidioMsPerSample = (System.nanoTime() - p0) / 1e6 / n;
        } catch (RuntimeException | Error e) {
            presidioNote = "Presidio not measured: " + e.getMessage();
        }

        System.out.printf(Locale.ROOT, "Corpus: %d sentences, seed %d, %d labelled spans, %.1f KB; threshold %.1f; IoU >= %.1f%n%n", n, seed,
                corpus.stream().mapToInt(s -> s.labels().size()).sum(), bytes / 1024.0, THRESHOLD, Scores.MIN_IOU);
        System.out.println("| entity | support | built-in P | built-in R | built-in F2 | Presidio P | Presidio R | Presidio F2 |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Map.Entry<String, Scores.Counts> e : ours.byEntity().entrySet()) {
            Scores.Counts c = e.getValue();
            Scores.Counts pc = presidio == null ? null : presidio.byEntity().get(e.getKey());
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %s | %s | %s |%n", e.getKey(), c.tp + c.fn, c.precision(),
                    c.recall(), c.f2(), pc == null ? "-" : fmt(pc.precision()), pc == null ? "-" : fmt(pc.recall()),
                    pc == null ? "-" : fmt(pc.f2()));
        }
        System.out.printf(Locale.ROOT, "%nSpeed on this corpus: built-in %.1f µs per sentence (%.1f MB/s, thread CPU time); Presidio %.1f ms per sentence "
                + "(wall time, one REST call each, loopback)%n", oursUsPerSample, oursMbPerS, presidioMsPerSample);
        if (!presidioNote.isEmpty()) {
            System.out.println(presidioNote);
        }
        System.exit(0);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Entities in a stable order, for callers that print. */
    static List<String> sorted(Set<String> s) {
        return new ArrayList<>(new TreeSet<>(s));
    }
}
