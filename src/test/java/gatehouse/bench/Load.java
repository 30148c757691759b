package gatehouse.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives calls at a constant rate (or as fast as answers come, closed-loop) from several workers
 * and times each call from the moment it <em>should</em> have been sent, so a stall shows in the
 * tail instead of silently lowering the rate. Every answer is checked by the call itself; a
 * failed call is counted, never timed.
 */
final class Load {

    /**
     * With the environment variable {@code BENCH_TRACE} set to a directory, each phase's calls are
     * also written there, one line per call: microseconds from the phase's start to the intended
     * send, and the call's latency in microseconds (to see when the slow calls happened). Phases
     * run one after another; the files are numbered in that order, warm-ups included (each round of
     * a scenario: its direct phase, then its gateway phase). A directory used before should be
     * emptied first.
     */
    private static final String TRACE_DIR = System.getenv("BENCH_TRACE");
    private static int phase;

    /** One simulated client's work: a call that throws when the answer is wrong. */
    interface Call {
        void run() throws Exception;
    }

    /** What one phase measured. */
    record Result(Histogram latencyMicros, long calls, long errors, double seconds, String firstError) {
        double perSecond() {
            return calls / seconds;
        }
    }

    /**
     * {@code calls} calls per worker; with {@code ratePerWorker > 0} each worker sends on a fixed
     * schedule (open loop), otherwise back to back (closed loop).
     */
    static Result run(List<Call> workers, int callsPerWorker, double ratePerWorker) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        String[] firstError = new String[1];
        long start = System.nanoTime();
        StringBuilder trace = TRACE_DIR == null ? null : new StringBuilder("# start " + java.time.Instant.now() + "\n");
        try (ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory())) {
            List<Future<?>> futures = new ArrayList<>();
            for (Call call : workers) {
                futures.add(pool.submit(() -> {
                    long interval = ratePerWorker > 0 ? (long) (1e9 / ratePerWorker) : 0;
                    long next = System.nanoTime();
                    for (int i = 0; i < callsPerWorker; i++) {
                        long intended;
                        if (interval > 0) {
                            intended = next;
                            long wait = intended - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            next += interval;
                        } else {
                            intended = System.nanoTime();
                        }
                        try {
                            call.run();
                            long micros = Math.max(1, (System.nanoTime() - intended) / 1_000);
                            recorder.recordValue(micros);
                            if (trace != null) {
                                synchronized (trace) {
                                    trace.append((intended - start) / 1_000).append(' ').append(micros).append('\n');
                                }
                            }
                            done.incrementAndGet();
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            synchronized (firstError) {
                                if (firstError[0] == null) {
                                    firstError[0] = e.toString();
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (trace != null) {
            Path dir = Files.createDirectories(Path.of(TRACE_DIR));
            Files.writeString(dir.resolve(String.format("phase-%03d.txt", ++phase)), trace);
        }
        return new Result(recorder.getIntervalHistogram(), done.get(), errors.get(), seconds, firstError[0]);
    }
}
