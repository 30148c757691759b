package gatehouse.authserver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts events in a sliding window, per key and in total, and admits one only while both counts
 * are under their limits. In memory per replica: enough to stop a loop or a casual abuser. The
 * per-key map drops keys whose window has emptied, and never holds more than {@code total} events.
 */
final class SlidingWindows {
    private final Duration window;
    private final int perKey;
    private final int total;
    private final Map<String, Deque<Instant>> byKey = new HashMap<>();
    private final Deque<Instant> all = new ArrayDeque<>();

    SlidingWindows(Duration window, int perKey, int total) {
        this.window = window;
        this.perKey = perKey;
        this.total = total;
    }

    synchronized boolean admit(String key, Instant now) {
        Instant cutoff = now.minus(window);
        while (!all.isEmpty() && all.peekFirst().isBefore(cutoff)) {
            all.pollFirst();
        }
        byKey.values().forEach(d -> {
            while (!d.isEmpty() && d.peekFirst().isBefore(cutoff)) {
                d.pollFirst();
            }
        });
        byKey.values().removeIf(Deque::isEmpty);
        Deque<Instant> mine = byKey.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (mine.size() >= perKey || all.size() >= total) {
            if (mine.isEmpty()) {
                byKey.remove(key);
            }
            return false;
        }
        mine.addLast(now);
        all.addLast(now);
        return true;
    }
}
