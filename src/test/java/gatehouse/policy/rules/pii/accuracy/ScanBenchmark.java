package gatehouse.policy.rules.pii.accuracy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import gatehouse.platform.Json;
import gatehouse.policy.rules.CompiledRule;
import gatehouse.policy.rules.RuleEngine;
import gatehouse.policy.rules.RuleInput;
import gatehouse.policy.rules.RuleSpec;
import gatehouse.policy.rules.Rules;
import gatehouse.policy.rules.pii.PiiAnalyzer;
import net.datafaker.Faker;
import tools.jackson.databind.node.ObjectNode;

/**
 * Scan throughput of the built-in analyzer (default entity set, one thread) on English-like text
 * without PII, and the latency a 100 KB tool result gains through a PII rule (median and p99 of
 * whole-message evaluation: text extraction, scan, and the copy when something is replaced).
 * Times are the thread's CPU time, so a busy shared machine does not distort them. The MB/s figure is
 * per core: one thread, the text's UTF-8 bytes (it is ASCII, so one byte per character) divided by the
 * median CPU time of one {@code analyze} call on the whole 4 MB text, after the JIT has been warmed by
 * message-sized scans (see {@link #WARM_SLICES}) and whole-text passes until it compiles nothing more
 * (see {@link #SETTLED_ROUNDS}).
 * A harness, not a test: it asserts nothing. Run with {@code bin/pii-bench}; {@code --scan-only} stops
 * after the scan and the bare loop, {@code --rounds=N} sets the number of paired rounds (default 30).
 */
public final class ScanBenchmark {
    /** Warm-up scans of {@link #SLICE} characters each before the measured passes (about 40 MB in all). */
    private static final int WARM_SLICES = 20_000;
    private static final int SLICE = 2_048;
    /** Warm-up rounds (1,000 slices, a whole-text pass, a bare loop) in a row in which the JIT must compile nothing. */
    private static final int SETTLED_ROUNDS = 3;
    private static final long WARM_LIMIT_NANOS = 120_000_000_000L;
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    /** CPU time of this thread: on a shared machine wall time measures the neighbours, CPU time measures the code. */
    static long cpu() {
        return CPU.getCurrentThreadCpuTime();
    }
    private static long bareLoop(String text) {
        char[] cs = text.toCharArray();
        long count = 0;
        for (char c : cs) {
            if (c == ' ') {
                count++;
            }
        }
        return count;
    }

    public static void main(String[] args) {
        boolean scanOnly = false;
        int rounds = 30;
        for (String a : args) {
            if (a.equals("--scan-only")) {
                scanOnly = true;
            } else if (a.startsWith("--rounds=")) {
                rounds = Integer.parseInt(a.substring("--rounds=".length()));
                if (rounds < 1) {
                    throw new IllegalArgumentException("--rounds must be at least 1");
                }
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'; known: --scan-only, --rounds=N");
            }
        }
        Faker faker = new Faker(Locale.US, new Random(7));
        StringBuilder prose = new StringBuilder();
        while (prose.length() < 4_000_000) {
            prose.append(faker.lorem().paragraph(8)).append(' ').append(faker.book().title()).append(" was published in ")
                    .append(1900 + faker.number().numberBetween(0, 120)).append(" and sold ").append(faker.number().numberBetween(3, 900))
                    .append(" copies. ").append(faker.company().catchPhrase()).append(".\n");
        }
        String text = prose.toString();
        long bytes = text.getBytes(StandardCharsets.UTF_8).length;
        PiiAnalyzer all = new PiiAnalyzer(List.of(), null, List.of());
        // warm up the way a gateway does, with many message-sized scans: a method called only a few times with a
        // long loop inside is compiled only for that loop (on-stack replacement), and the code after it (the context
        // look-up, the overlap resolution) stays in the slower profiling tier; measured that way a pass cost about 7%
        // more CPU than once the JIT has compiled every method whole
        long warmStart = System.nanoTime();
        int slices = 0;
        for (; slices < WARM_SLICES; slices++) {
            int from = (int) ((long) slices * SLICE % (text.length() - SLICE));
            all.analyze(text.substring(from, from + SLICE));
        }
        // then until the JIT has settled: a fixed count of calls is a fixed amount of work, not a fixed state of the
        // compiler, and its optimising tier works through a queue (on a busy 2-core machine slowly); measured passes
        // that start while it still compiles the scan time the profiling tier for as many of them as it takes, which
        // split the runs into a slow and a fast group by whether that came before the median pass
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        int found = 0;
        long spaces = 0;
        int whole = 0;
        int quiet = 0;
        long compiled = -1;
        while (quiet < SETTLED_ROUNDS && System.nanoTime() - warmStart < WARM_LIMIT_NANOS) {
            for (int w = 0; w < 1_000; w++, slices++) {
                int from = (int) ((long) slices * SLICE % (text.length() - SLICE));
                all.analyze(text.substring(from, from + SLICE));
            }
            found = all.analyze(text).size();
            spaces += bareLoop(text);
            whole++;
            long now = jit.getTotalCompilationTime();
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }
        System.out.printf(Locale.ROOT, "warm-up: %d message-sized scans and %d whole-text passes in %.1f s; the JIT %s%n", slices, whole,
                (System.nanoTime() - warmStart) / 1e9, quiet >= SETTLED_ROUNDS ? "compiled nothing in the last " + SETTLED_ROUNDS + " rounds"
                        : "was still compiling when the limit was reached (the figures below may include unoptimised code)");
        // scan and bare loop alternate, round by round, so both see the same minute of a shared machine;
        // the ratio of each pair is the figure least moved by the neighbours
        long[] scan = new long[rounds];
        long[] bare = new long[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = cpu();
            all.analyze(text);
            scan[r] = cpu() - t0;
            long b0 = cpu();
            spaces += bareLoop(text);
            bare[r] = cpu() - b0;
            ratio[r] = (double) scan[r] / Math.max(1, bare[r]);
        }
        Arrays.sort(scan);
        Arrays.sort(bare);
        Arrays.sort(ratio);
        double secs = scan[rounds / 2] / 1e9;
        double bareSecs = bare[rounds / 2] / 1e9;
        System.out.printf(Locale.ROOT, "built-in analyzer, default entities, text without PII: %.0f MB/s per core, median of %d passes (fastest %.0f, slowest %.0f; %.1f MB, %d findings per pass)%n",
                bytes / secs / 1e6, rounds, bytes / (scan[0] / 1e9) / 1e6, bytes / (scan[rounds - 1] / 1e9) / 1e6, bytes / 1e6, found);
        System.out.printf(Locale.ROOT, "bare loop on the same text (copy + one comparison per character): %.0f MB/s per core; the scan costs %.2fx that (median of the paired rounds' ratios) (%d)%n",
                bytes / bareSecs / 1e6, ratio[rounds / 2], spaces % 10);
        if (scanOnly) {
            System.exit(0);
        }

        StringBuilder result = new StringBuilder();
        while (result.length() < 100_000) {
            result.append(faker.lorem().paragraph(6)).append(' ');
            if (result.length() % 7 == 0) {
                result.append("contact ").append(faker.internet().emailAddress()).append(' ');
            }
        }
        result.append(" reach me at ann@example.com.");
        ObjectNode msg = Json.object();
        msg.put("jsonrpc", "2.0");
        msg.put("id", 1);
        msg.putObject("result").putArray("content").addObject().put("type", "text").put("text", result.toString());
        RuleInput in = new RuleInput("pii", "pii", null, null, null, null, null, "replace", null, null, null, null, null, null, null,
                null, null, null, null);
        CompiledRule rule = Rules.compile(in.toSpec("rul_b", "gw", Instant.now(), Instant.now()));
        byte[] key = new byte[32];
        int n = 2000;
        long[] times = new long[n];
        for (int w = 0; w < 500; w++) {
            RuleEngine.evaluate(List.of(rule), RuleSpec.Flow.RESPONSE, msg, key);
        }
        for (int i = 0; i < n; i++) {
            long s = cpu();
            RuleEngine.evaluate(List.of(rule), RuleSpec.Flow.RESPONSE, msg, key);
            times[i] = cpu() - s;
        }
        Arrays.sort(times);
        System.out.printf(Locale.ROOT, "100 KB tool result through a default-entity PII rule (replace): median %.3f ms, p99 %.3f ms (thread CPU time)%n",
                times[n / 2] / 1e6, times[n * 99 / 100] / 1e6);

        CompiledRule regex = Rules.compile(new RuleInput("re", "regex", List.of("\\b[A-Z]{3}-\\d{4}\\b", "secret-[a-z0-9]{8}"), null, null,
                null, null, "block", null, null, null, null, null, null, null, null, null, null, null)
                .toSpec("rul_r", "gw", Instant.now(), Instant.now()));
        ObjectNode big = Json.object();
        big.putObject("result").putArray("content").addObject().put("type", "text").put("text", text.substring(0, 1_000_000));
        for (int w = 0; w < 5; w++) {
            RuleEngine.evaluate(List.of(regex), RuleSpec.Flow.RESPONSE, big, key);
        }
        long r0 = cpu();
        for (int r = 0; r < 10; r++) {
            RuleEngine.evaluate(List.of(regex), RuleSpec.Flow.RESPONSE, big, key);
        }
        System.out.printf(Locale.ROOT, "regex rule (two patterns) on text without matches: %.0f MB/s per core%n",
                1_000_000.0 * 10 / ((cpu() - r0) / 1e9) / 1e6);
        System.exit(0);
    }
}
