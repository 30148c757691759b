package gatehouse.identity;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Growing delays between sign-in attempts, per account name and per client address, answered at
 * once: a request that comes too early is refused, never put to sleep, so guessing costs the
 * attacker time without costing the server threads. Once past the free failures an attempt also
 * reserves the next slot before its password is checked, so parallel guesses do not slip through
 * together. The maps are bounded (least recently used entries give way), so a flood of names or
 * addresses cannot grow memory without limit.
 */
final class SignInThrottle {
    static final int MAX_ENTRIES = 10_000;

    private final LoginProperties.Throttle settings;
    private final InstantSource clock;
    private final Map<String, Attempts> entries = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Attempts> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private static final class Attempts {
        int failures;
        Instant lastFailure;
        Instant notBefore = Instant.MIN;
    }

    SignInThrottle(LoginProperties.Throttle settings, InstantSource clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Empty when an attempt may go ahead now (and, past the free failures, takes the next slot); else how long to wait. */
    synchronized Optional<Duration> tryAcquire(String key) {
        if (settings.off()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Attempts e = current(key, now);
        if (e == null) {
            return Optional.empty();
        }
        if (now.isBefore(e.notBefore)) {
            return Optional.of(Duration.between(now, e.notBefore));
        }
        Duration next = settings.delayAfter(e.failures + 1);
        if (!next.isZero()) {
            e.notBefore = now.plus(next); // this attempt holds the slot; a parallel one waits like a sequential one
        }
        return Optional.empty();
    }

    synchronized void failed(String key) {
        if (settings.off()) {
            return;
        }
        Instant now = clock.instant();
        Attempts e = current(key, now);
        if (e == null) {
            e = new Attempts();
            entries.put(key, e);
        }
        e.failures++;
        e.lastFailure = now;
        Instant until = now.plus(settings.delayAfter(e.failures));
        if (until.isAfter(e.notBefore)) {
            e.notBefore = until;
        }
    }

    synchronized void succeeded(String key) {
        entries.remove(key);
    }

    synchronized int size() {
        return entries.size();
    }

    /** The entry of a key, or null when it has none or its failures are old enough to forget. */
    private Attempts current(String key, Instant now) {
        Attempts e = entries.get(key);
        if (e != null && e.lastFailure != null && now.isAfter(e.lastFailure.plus(settings.forgetAfter())) && !now.isBefore(e.notBefore)) {
            entries.remove(key);
            return null;
        }
        return e;
    }
}
